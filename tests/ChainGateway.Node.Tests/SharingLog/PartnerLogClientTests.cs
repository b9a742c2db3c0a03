using System.IO.Compression;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using ChainGateway.Node.Tiles;
using Microsoft.AspNetCore.Http;

namespace ChainGateway.Node.Tests.SharingLog;

/// <summary>
/// om's PartnerLogClient reading politie's log over its real peer endpoint, with politie misbehaving on the wire: every
/// answer is read with a bound (a checkpoint 64 KiB, a hash tile 32·W bytes, an entry bundle W·(2 + 65,535) bytes once
/// inflated), and a longer answer is refused as soon as it is, not buffered whole first.
/// </summary>
public sealed class PartnerLogClientTests : IAsyncLifetime
{
    private readonly MisbehavingPartner tamper = new();
    private TestFederation federation = null!;
    private ChainNode politie = null!;
    private NodeContext om = null!;
    private PartnerLogClient client = null!;
    private Checkpoint checkpoint = null!;

    public async Task InitializeAsync()
    {
        federation = TestFederation.Create();
        politie = await federation.StartAsync("politie", configureServices: tamper.Install);
        for (var i = 0; i < 5; i++)
        {
            await politie.Store.AppendLogAsync(new LogEntry { Time = DateTimeOffset.UtcNow, Event = LogEvent.Sent, Partner = "om", MessageId = Guid.NewGuid(), Outcome = "ok" }, default);
        }
        checkpoint = Checkpoint.Parse((await politie.CheckpointAsync())!);
        om = NodeContext.Load(federation.Configuration("om"), TimeProvider.System);
        client = new PartnerLogClient(om);
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        om.Dispose();
        await federation.DisposeAsync();
    }

    private TilePath HashTile => new(0, 0, TilePath.WidthAt(0, 0, checkpoint.Size), IsEntries: false);

    private TilePath EntryBundle => HashTile with { IsEntries = true };

    [Fact]
    public async Task CheckpointAndHashTiles_AreAskedForUncompressed_EntryBundlesForGzip()
    {
        Assert.True(Checkpoint.TryParse(await client.GetCheckpointAsync("politie", default), out _));
        Assert.Equal(HashTile.Width * 32, (await client.GetTileAsync("politie", HashTile, default)).Length);
        var bundle = await client.GetTileAsync("politie", EntryBundle, default);
        Assert.Equal(EntryBundle.Width, EntryBundles.Split(bundle, EntryBundle.Width).Count);

        Assert.Equal(
            [("/log/checkpoint", ""), ("/log/" + HashTile, ""), ("/log/" + EntryBundle, "gzip")],
            tamper.Requests.ToArray());
    }

    [Fact]
    public async Task GzipBombServedAsAHashTile_IsRefused_NotInflated()
    {
        // 32 MiB of zeroes in about 32 KiB; automatic decompression inflated it whole, asked for or not.
        var bomb = Gzip(new byte[32 << 20]);
        tamper.Override = ("/log/tile/0", context => AnswerAsync(context, bomb, contentEncoding: "gzip"));

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => client.GetTileAsync("politie", HashTile, default));
        Assert.Equal($"{HashTile}: served with a Content-Encoding that was not asked for", refused.Message);
    }

    [Fact]
    public async Task EntryBundleThatInflatesPastItsBound_IsRefused()
    {
        // One byte more than W entries of the largest size can be, gzipped to a few KiB.
        var bound = (long)EntryBundle.Width * (2 + LogEntryEncoding.MaxEncodedLength);
        Assert.Equal(bound, PartnerLogClient.MaxTileBytes(EntryBundle));
        var bomb = Gzip(new byte[bound + 1]);
        Assert.True(bomb.Length < bound / 100, $"{bomb.Length} bytes");
        tamper.Override = ("/log/tile/entries", context => AnswerAsync(context, bomb, contentEncoding: "gzip"));

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => client.GetTileAsync("politie", EntryBundle, default));
        Assert.Equal($"{EntryBundle}: longer than the {bound} bytes it can be", refused.Message);

        // At the bound exactly, it is read (and is then for EntryBundles.Split to judge).
        var full = Gzip(new byte[bound]);
        tamper.Override = ("/log/tile/entries", context => AnswerAsync(context, full, contentEncoding: "gzip"));
        Assert.Equal(bound, (await client.GetTileAsync("politie", EntryBundle, default)).Length);
    }

    [Theory]
    [InlineData("checkpoint", false)]
    [InlineData("checkpoint", true)]
    [InlineData("hash tile", false)]
    [InlineData("hash tile", true)]
    [InlineData("entry bundle", false)]
    public async Task AnswerLongerThanItsBound_ThatNeverEnds_IsRefusedPromptly(string what, bool announced)
    {
        // A body longer than the bound that then never ends, with or without a Content-Length announcing a gigabyte. Read
        // whole, it held the reader until the client's 30 s timeout (or up to 2 GiB in memory, had it kept coming).
        var (path, bound, read) = what switch
        {
            "checkpoint" => ("/log/checkpoint", (long)PartnerLogClient.MaxCheckpointBytes, (Func<Task>)(() => client.GetCheckpointAsync("politie", default))),
            "hash tile" => ("/log/tile/0", HashTile.Width * 32L, () => client.GetTileAsync("politie", HashTile, default)),
            _ => ("/log/tile/entries", PartnerLogClient.MaxTileBytes(EntryBundle), () => client.GetTileAsync("politie", EntryBundle, default)),
        };
        tamper.Override = (path, context => MisbehavingPartner.EndlessAsync(context, bound + (64 * 1024), announced ? 1L << 30 : null));

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => read().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.EndsWith($": longer than the {bound} bytes it can be", refused.Message, StringComparison.Ordinal);
    }

    private static async Task AnswerAsync(HttpContext context, byte[] body, string contentEncoding)
    {
        context.Response.ContentType = "application/octet-stream";
        context.Response.Headers.ContentEncoding = contentEncoding;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(bytes);
        }
        return output.ToArray();
    }
}
