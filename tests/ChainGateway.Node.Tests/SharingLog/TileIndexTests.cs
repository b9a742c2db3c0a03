using System.Net;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using ChainGateway.Node.Tiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ChainGateway.Node.Tests.SharingLog;

/// <summary>
/// Tile coordinates beyond any tree of ours, over a real node's peer endpoint: a signed size below one tile and
/// 300 unsigned entries stored after it, so a tile index that wraps (index·256 past long.MaxValue) or a level whose
/// shift wraps (8·level ≥ 64) would serve entries no checkpoint covers.
/// </summary>
public sealed class TileIndexTests : IAsyncLifetime
{
    private TestFederation federation = null!;
    private ChainNode politie = null!;
    private NodeContext om = null!;
    private long signedSize;

    public async Task InitializeAsync()
    {
        federation = TestFederation.Create();
        // A clock that does not move: no checkpoint is signed but the one this test asks for.
        politie = await federation.StartAsync("politie", new FakeTimeProvider(DateTimeOffset.UtcNow));
        // The checkpoint service signs once at start, when it gets to it; after that only when asked.
        await federation.Logs.WaitForAsync(e => e.EventId.Id == 1012, TimeSpan.FromSeconds(30));
        await politie.CheckpointAsync();
        var checkpoints = politie.Services.GetRequiredService<SharingLogCheckpoints>();
        signedSize = (await checkpoints.LatestAsync(default))?.Size ?? throw new InvalidOperationException("no checkpoint");
        for (var i = 0; i < 300; i++)
        {
            await politie.Store.AppendLogAsync(new LogEntry { Time = DateTimeOffset.UtcNow, Event = LogEvent.Sent, Partner = "om", MessageId = Guid.NewGuid(), Outcome = "ok" }, default);
        }
        om = NodeContext.Load(federation.Configuration("om"), TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        om.Dispose();
        await federation.DisposeAsync();
    }

    [Theory]
    [InlineData("tile/entries/x072/x057/x594/x037/x927/935")] // 2^56 - 1: index·256 wraps to -256
    [InlineData("tile/0/x072/x057/x594/x037/x927/935")]
    [InlineData("tile/entries/x036/x028/x797/x018/x963/968")] // 2^55: index·256 wraps to long.MinValue
    [InlineData("tile/8/000")] // a shift of 64 is a shift of 0
    [InlineData("tile/9/000")]
    [InlineData("tile/63/000.p/1")]
    [InlineData("tile/7/001")]
    public async Task TilesBeyondAnyTreeOfOurs_AreNotFound(string path)
    {
        Assert.True(signedSize < 256, $"signed size {signedSize}");
        using var client = PartnerLogClient.Create(politie.Context.Configuration.Peer.Listen, "politie", om.TlsCertificate, om.FederationCa);
        using var response = await client.GetAsync(new Uri("log/" + path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        // The signed tile is served: the refusal is about the coordinate, not the client.
        using var signed = await client.GetAsync(new Uri($"log/tile/entries/000.p/{signedSize}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
    }
}
