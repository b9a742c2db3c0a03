using ChainGateway.Core.SharingLog;
using NSec.Cryptography;

namespace ChainGateway.Core.Tests.SharingLog;

/// <summary>C2SP tlog-tiles paths and proofs from tiles, against the in-memory tree; Ed25519 cosignature/v1.</summary>
public sealed class TileTests
{
    [Theory]
    [InlineData(0, 1234067L, 256, false, "tile/0/x001/x234/067")]
    [InlineData(1, 0L, 17, false, "tile/1/000.p/17")]
    [InlineData(2, 1000L, 1, false, "tile/2/x001/000.p/1")]
    [InlineData(0, 5L, 256, true, "tile/entries/005")]
    [InlineData(0, 273L, 112, true, "tile/entries/273.p/112")]
    public void TilePath_RoundTripsTheSpecSpelling(int level, long index, int width, bool entries, string path)
    {
        var tile = new TilePath(level, index, width, entries);
        Assert.Equal(path, tile.ToString());
        Assert.True(TilePath.TryParse(path["tile/".Length..], out var parsed));
        Assert.Equal(tile, parsed);
    }

    [Theory]
    [InlineData("0/1")]
    [InlineData("0/0001")]
    [InlineData("0/x000/001")]
    [InlineData("0/001/002")]
    [InlineData("00/000")]
    [InlineData("64/000")]
    [InlineData("8/000")]
    [InlineData("63/000")]
    [InlineData("entries/x036/x028/x797/x018/x963/968")]
    [InlineData("0/x072/x057/x594/x037/x927/935")]
    [InlineData("7/001")]
    [InlineData("0/000.p/0")]
    [InlineData("0/000.p/256")]
    [InlineData("0/000.p/07")]
    [InlineData("entries/x1/000")]
    public void TilePath_RefusesOtherSpellings(string path) => Assert.False(TilePath.TryParse(path, out _));

    [Fact]
    public void TileWidths_MatchTheSpecExample()
    {
        // tlog-tiles §Partial Tiles: size 70,000 → 273 full level-0 tiles and one of width 112, level 1 partial 17, level 2 partial 1.
        Assert.Equal(256, TilePath.WidthAt(0, 272, 70_000));
        Assert.Equal(112, TilePath.WidthAt(0, 273, 70_000));
        Assert.Equal(17, TilePath.WidthAt(1, 1, 70_000));
        Assert.Equal(1, TilePath.WidthAt(2, 0, 70_000));
        Assert.Equal(0, TilePath.WidthAt(3, 0, 70_000));
    }

    [Theory]
    [InlineData(0, 72_057_594_037_927_935L)] // 2^56 - 1: index·256 wraps to -256
    [InlineData(0, 36_028_797_018_963_968L)] // 2^55: index·256 wraps to long.MinValue
    [InlineData(8, 0L)] // a shift of 64 is a shift of 0
    [InlineData(9, 0L)]
    [InlineData(63, 0L)]
    [InlineData(7, 1L)]
    [InlineData(-1, 0L)]
    [InlineData(0, -1L)]
    public void TilesBeyondAnyTreeOfOurs_AreEmpty(int level, long index)
    {
        Assert.Equal(0, TilePath.WidthAt(level, index, 300));
        Assert.Equal(0, TilePath.WidthAt(level, index, long.MaxValue));
    }

    [Fact]
    public void TheLargestTree_HasItsLastTilesAtTheEdge()
    {
        // long.MaxValue leaves: 2^55 - 1 full level-0 tiles, then one of 255; at level 7 one tile of 127 hashes.
        Assert.Equal(255, TilePath.WidthAt(0, long.MaxValue >> 8, long.MaxValue));
        Assert.Equal(127, TilePath.WidthAt(7, 0, long.MaxValue));
        Assert.True(TilePath.TryParse(new TilePath(0, long.MaxValue >> 8, 255, IsEntries: true).ToString()["tile/".Length..], out _));
    }

    [Fact]
    public async Task ProofsFromTiles_EqualTheTreesProofs_AtEverySize()
    {
        var tree = new MerkleTree();
        var reads = 0;
        for (var size = 1; size <= 700; size++)
        {
            tree.AppendEntry(BitConverter.GetBytes(size));
            if (size > 20 && size % 23 != 0 && size != 256 && size != 512)
            {
                continue;
            }
            var reader = new TileHashReader(size, (tile, _) =>
            {
                reads++;
                Assert.Equal(TilePath.WidthAt(tile.Level, tile.Index, size), tile.Width);
                var bytes = new byte[tile.Width * 32];
                for (var i = 0; i < tile.Width; i++)
                {
                    tree.PerfectSubtree(8 * tile.Level, (tile.Index * 256) + i).CopyTo(bytes, i * 32);
                }
                return Task.FromResult(bytes);
            });
            Assert.Equal(tree.RootAt(size), await reader.RootAsync(size, default));
            for (var old = 0; old <= size; old += Math.Max(1, size / 7))
            {
                Assert.Equal(tree.ConsistencyProof(old, size), await reader.ConsistencyProofAsync(old, size, default));
            }
            for (var index = 0; index < size; index += Math.Max(1, size / 5))
            {
                Assert.Equal(tree.InclusionProof(index, size), await reader.InclusionProofAsync(index, size, default));
            }
        }
        Assert.True(reads > 0);
    }

    [Fact]
    public void Cosignature_Verifies_AndNamesItsTimestamp_ButNotForAnotherBodyOrName()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        const string body = "chaingateway/politie\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        var line = Cosignature.Sign(body, "chaingateway/om", key, 1_679_315_147);
        Assert.StartsWith("\u2014 chaingateway/om ", line, StringComparison.Ordinal);
        Assert.Equal(1_679_315_147, Cosignature.Verify(line, body, "chaingateway/om", key.PublicKey));
        Assert.Null(Cosignature.Verify(line, body.Replace("\n5\n", "\n6\n", StringComparison.Ordinal), "chaingateway/om", key.PublicKey));
        Assert.Null(Cosignature.Verify(line, body, "chaingateway/reclassering", key.PublicKey));
        // tlog-cosignature: key ID = SHA-256(name || "\n" || 0x04 || key)[:4], not the signed-note 0x01 ID.
        Assert.NotEqual(SignedNote.KeyId("chaingateway/om", key.PublicKey), Cosignature.KeyId("chaingateway/om", key.PublicKey));
        var blob = Convert.FromBase64String(line.TrimEnd('\n').Split(' ')[2]);
        Assert.Equal(4 + 8 + 64, blob.Length);
        // The signed message is the cosignature/v1 header, the time line, then the checkpoint body.
        Assert.True(SignatureAlgorithm.Ed25519.Verify(key.PublicKey, System.Text.Encoding.UTF8.GetBytes("cosignature/v1\ntime 1679315147\n" + body), blob.AsSpan(12)));
    }
}
