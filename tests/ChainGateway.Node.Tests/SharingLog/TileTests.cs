using System.IO.Compression;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Federation;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using ChainGateway.Node.Tiles;

namespace ChainGateway.Node.Tests.SharingLog;

/// <summary>C2SP tlog-tiles on a real node's peer endpoint (Kestrel, HTTP/2, mutual TLS 1.3), read with a partner's certificate.</summary>
public sealed class TileTests : IAsyncLifetime
{
    private TestFederation federation = null!;
    private ChainNode politie = null!;
    private NodeContext om = null!;

    public async Task InitializeAsync()
    {
        federation = TestFederation.Create();
        politie = await federation.StartAsync("politie");
        // 600 entries: two full level-0 tiles, a partial one, and a partial level-1 tile.
        for (var i = 0; i < 600; i++)
        {
            await politie.Store.AppendLogAsync(new LogEntry { Time = DateTimeOffset.UtcNow, Event = LogEvent.Sent, Partner = "om", MessageId = Guid.NewGuid(), Outcome = "ok" }, default);
        }
        Assert.NotNull(await politie.CheckpointAsync());
        om = NodeContext.Load(federation.Configuration("om"), TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        om.Dispose();
        await federation.DisposeAsync();
    }

    private HttpClient Client(X509Certificate2 certificate) =>
        PartnerLogClient.Create(politie.Context.Configuration.Peer.Listen, "politie", certificate, om.FederationCa);

    private async Task<Checkpoint> VerifiedCheckpointAsync(HttpClient client)
    {
        var note = await client.GetStringAsync(new Uri("log/checkpoint", UriKind.Relative));
        var checkpoint = Checkpoint.Open(note, "chaingateway/politie", politie.Context.Keys.Signing.PublicKey);
        Assert.NotNull(checkpoint);
        return checkpoint;
    }

    [Fact]
    public async Task PartnerCertificate_ReadsTiles_ThatHashToTheSignedRoot()
    {
        using var client = Client(om.TlsCertificate);
        var checkpoint = await VerifiedCheckpointAsync(client);
        Assert.True(checkpoint.Size >= 601, $"size {checkpoint.Size}");
        var reader = new TileHashReader(checkpoint.Size, (tile, ct) => client.GetByteArrayAsync(new Uri("log/" + tile, UriKind.Relative), ct));
        Assert.Equal(checkpoint.RootHash, await reader.RootAsync(checkpoint.Size, default));

        // Every entry of every bundle hashes to its leaf; the leaves are proven included in the signed root.
        for (long n = 0; n * 256 < checkpoint.Size; n++)
        {
            var width = TilePath.WidthAt(0, n, checkpoint.Size);
            var bundle = await client.GetByteArrayAsync(new Uri("log/" + new TilePath(0, n, width, IsEntries: true), UriKind.Relative));
            var entries = EntryBundles.Split(bundle, width);
            for (var i = 0; i < width; i += 37)
            {
                var index = (n * 256) + i;
                if (entries[i].Length == 0)
                {
                    // Withheld from om: an entry that does not name it (the node's own, such as agreement-loaded).
                    Assert.NotEqual("om", Assert.Single(await politie.Store.ReadLogAsync(index + 1, 1, default)).Partner);
                    continue;
                }
                var leaf = MerkleTree.HashLeaf(entries[i]);
                Assert.Equal(leaf, await reader.LeafHashAsync(index, default));
                Assert.True(MerkleProofs.VerifyInclusion(leaf, index, checkpoint.Size, await reader.InclusionProofAsync(index, checkpoint.Size, default), checkpoint.RootHash));
            }
        }
    }

    [Fact]
    public async Task AnEntryBundle_ShowsAPartnerOnlyTheEntriesThatNameIt_AndStillProvesTheSignedRoot()
    {
        // Exchanges with veilig-thuis, with pseudonyms: none of it may reach om, which could otherwise look the pseudonyms
        // up, or follow veilig-thuis's pairs through them (DESIGN.md §6).
        for (var i = 0; i < 20; i++)
        {
            await politie.Store.AppendLogAsync(new LogEntry
            {
                Time = DateTimeOffset.UtcNow,
                Event = LogEvent.Matched,
                Partner = "veilig-thuis",
                MessageId = Guid.NewGuid(),
                Purpose = "case-direction",
                SubjectPseudonym = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
                Outcome = "ok",
            }, default);
        }
        Assert.NotNull(await politie.CheckpointAsync());
        using var veiligThuis = NodeContext.Load(federation.Configuration("veilig-thuis"), TimeProvider.System);

        foreach (var (reader, certificate) in new[] { ("om", om.TlsCertificate), ("veilig-thuis", veiligThuis.TlsCertificate) })
        {
            using var client = Client(certificate);
            var checkpoint = await VerifiedCheckpointAsync(client);
            var tiles = new TileHashReader(checkpoint.Size, (tile, ct) => client.GetByteArrayAsync(new Uri("log/" + tile, UriKind.Relative), ct));
            var tree = new MerkleTree();
            var served = 0;
            for (long n = 0; n * 256 < checkpoint.Size; n++)
            {
                var width = TilePath.WidthAt(0, n, checkpoint.Size);
                var entries = EntryBundles.Split(await client.GetByteArrayAsync(new Uri("log/" + new TilePath(0, n, width, IsEntries: true), UriKind.Relative)), width);
                for (var i = 0; i < width; i++)
                {
                    var index = (n * 256) + i;
                    var stored = Assert.Single(await politie.Store.ReadLogAsync(index + 1, 1, default));
                    if (stored.Partner != reader)
                    {
                        Assert.Empty(entries[i]);
                        tree.Append(await tiles.LeafHashAsync(index, default));
                        continue;
                    }
                    Assert.True(LogEntryEncoding.TryDecode(entries[i], out var entry));
                    Assert.Equal(reader, entry.Partner);
                    tree.AppendEntry(entries[i]);
                    served++;
                }
            }
            Assert.True(served >= 20, $"{served} entries served to {reader}");
            Assert.Equal(checkpoint.RootHash, tree.Root());
        }
    }

    [Fact]
    public async Task TilePaths_FollowTheSpec_AndUncoveredTilesAreNotServed()
    {
        using var client = Client(om.TlsCertificate);
        var checkpoint = await VerifiedCheckpointAsync(client);
        var fullTile = await client.GetAsync(new Uri("log/tile/0/000", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, fullTile.StatusCode);
        Assert.Equal(8192, (await fullTile.Content.ReadAsByteArrayAsync()).Length);
        Assert.Equal("application/octet-stream", fullTile.Content.Headers.ContentType?.MediaType);
        var level1 = await client.GetByteArrayAsync(new Uri("log/tile/1/000.p/" + (checkpoint.Size / 256), UriKind.Relative));
        Assert.Equal(checkpoint.Size / 256 * 32, level1.Length);
        // A partial tile wider than the signed size, a full tile not yet complete, and non-canonical spellings: 404.
        var width = (int)(checkpoint.Size % 256);
        foreach (var path in new[] { $"tile/0/002.p/{width + 1}", "tile/0/002", "tile/0/2", "tile/0/x000/001", "tile/00/000", "tile/entries/003" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("log/" + path, UriKind.Relative))).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri($"log/tile/0/002.p/{width}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task EntryBundles_AreGzipEncoded_WhenTheClientAcceptsIt_AndTheSameBytesOtherwise()
    {
        // The client decodes nothing by itself: what the endpoint sends is what is read.
        using var raw = PartnerLogClient.Create(politie.Context.Configuration.Peer.Listen, "politie", om.TlsCertificate, om.FederationCa);
        var path = new Uri("log/tile/entries/000", UriKind.Relative);

        using var plain = await raw.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        var identity = await plain.Content.ReadAsByteArrayAsync();
        Assert.Equal(256, EntryBundles.Split(identity, 256).Count);

        // The peer endpoint speaks HTTP/2 only (a request message of its own defaults to HTTP/1.1).
        HttpRequestMessage Get(Uri uri, string acceptEncoding)
        {
            var message = new HttpRequestMessage(HttpMethod.Get, uri) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            message.Headers.AcceptEncoding.ParseAdd(acceptEncoding);
            return message;
        }
        using var request = Get(path, "gzip, identity");
        using var gzipped = await raw.SendAsync(request);
        Assert.Equal(["gzip"], gzipped.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", gzipped.Headers.Vary);
        var compressed = await gzipped.Content.ReadAsByteArrayAsync();
        Assert.True(compressed.Length < identity.Length / 2, $"{compressed.Length} of {identity.Length} bytes");
        using var decoded = new MemoryStream();
        await using (var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress))
        {
            await gzip.CopyToAsync(decoded);
        }
        Assert.Equal(identity, decoded.ToArray());

        // gzip refused with q=0: identity. Hash tiles (random bytes) are never encoded.
        using var refused = Get(path, "gzip;q=0, identity");
        using var refusedResponse = await raw.SendAsync(refused);
        Assert.Empty(refusedResponse.Content.Headers.ContentEncoding);
        Assert.Equal(identity, await refusedResponse.Content.ReadAsByteArrayAsync());
        using var hashTile = Get(new Uri("log/tile/0/000", UriKind.Relative), "gzip");
        using var hashTileResponse = await raw.SendAsync(hashTile);
        Assert.Empty(hashTileResponse.Content.Headers.ContentEncoding);
        Assert.Equal(8192, (await hashTileResponse.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task AnEntryOverTheBundlesLengthLimit_IsWrittenCut_AndItsBundleIsServed()
    {
        // An entry bundle prefixes each entry with a uint16 length: a longer entry once made its bundle a 500 forever.
        var index = await politie.Store.AppendLogAsync(new LogEntry
        {
            Time = DateTimeOffset.UtcNow,
            Event = LogEvent.Denied,
            Partner = "om",
            Purpose = new string('p', 200_000),
            Outcome = "denied",
            ReasonCode = "RULE_DENIED",
            Detail = "no rule for " + new string('d', 200_000),
        }, default);
        await politie.CheckpointAsync();
        using var client = Client(om.TlsCertificate);
        var checkpoint = await VerifiedCheckpointAsync(client);
        var tileIndex = (index - 1) / 256;
        var width = TilePath.WidthAt(0, tileIndex, checkpoint.Size);

        var bundle = await client.GetByteArrayAsync(new Uri("log/" + new TilePath(0, tileIndex, width, IsEntries: true), UriKind.Relative));
        var bytes = EntryBundles.Split(bundle, width)[(int)((index - 1) % 256)];
        Assert.True(LogEntryEncoding.TryDecode(bytes, out var entry));
        Assert.StartsWith("no rule for ddd", entry.Detail, StringComparison.Ordinal);
        Assert.Contains(" characters) … ", entry.Detail, StringComparison.Ordinal);
        Assert.Contains("(cut: ", entry.Purpose, StringComparison.Ordinal);
        var reader = new TileHashReader(checkpoint.Size, (tile, ct) => client.GetByteArrayAsync(new Uri("log/" + tile, UriKind.Relative), ct));
        Assert.Equal(MerkleTree.HashLeaf(bytes), await reader.LeafHashAsync(index - 1, default));
    }

    [Fact]
    public async Task CertificateOfUnlistedOrganisation_IsForbidden()
    {
        using var ca = X509Certificate2.CreateFromPemFile(Path.Combine(federation.Directory, "ca.crt.pem"), Path.Combine(federation.Directory, "ca.key.pem"));
        using var issued = DevCertificates.IssueOrganisationCertificate(ca, "onbekend", DateTimeOffset.UtcNow);
        using var outsider = HandBuilt.Usable(issued);
        using var client = Client(outsider);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(new Uri("log/checkpoint", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(new Uri("log/tile/0/000", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task CertificateFromAnotherCa_IsRefusedAtHandshake()
    {
        using var otherCa = DevCertificates.CreateCa("Not the federation CA", DateTimeOffset.UtcNow);
        using var issued = DevCertificates.IssueOrganisationCertificate(otherCa, "om", DateTimeOffset.UtcNow);
        using var forged = HandBuilt.Usable(issued);
        using var client = Client(forged);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync(new Uri("log/checkpoint", UriKind.Relative)));
    }
}
