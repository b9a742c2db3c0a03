// Merkle proofs from C2SP tlog-tiles (c2sp.org/tlog-tiles §Merkle Tree) for a tree of a known size.
//
// The perfect subtree of 2^h leaves starting at leaf s (s a multiple of 2^h) is found in the tile of level
// L = h / 8: its 2^(h mod 8) hashes at tree level 8·L, from position s >> 8L, are hashed up h mod 8 levels
// (RFC 9162 §2.1.1). Any other range is split as MTH splits it (k = largest power of two below n), so PATH
// (§2.1.3.1) and PROOF (§2.1.4.1) need O(log n) tiles. Tiles are untrusted: callers verify the proofs against a
// signed root (MerkleProofs), which commits to every hash used; a wrong tile shows as a failed verification.
using System.Numerics;

namespace ChainGateway.Core.SharingLog;

/// <summary>Computes roots and RFC 9162 proofs for a tree of <paramref name="treeSize"/> leaves from hash tiles read through <paramref name="readTile"/>.</summary>
/// <param name="treeSize">The tree size the tiles are read for (the partial tiles' widths follow from it).</param>
/// <param name="readTile">
/// Returns the tile's bytes (width × 32); a shorter or longer answer is an <see cref="InvalidDataException"/>. A reader over
/// the network bounds its read by the tile's width (PartnerLogClient does), or a partner's endless answer is buffered first.
/// </param>
public sealed class TileHashReader(long treeSize, Func<TilePath, CancellationToken, Task<byte[]>> readTile)
{
    private readonly Dictionary<(int Level, long Index), byte[]> tiles = [];

    public long TreeSize => treeSize;

    /// <summary>MTH(D[0:size]) for size ≤ TreeSize.</summary>
    public async Task<byte[]> RootAsync(long size, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, treeSize);
        return size == 0 ? MerkleTree.EmptyRoot.ToArray() : await SubtreeAsync(0, size, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The leaf hash of leaf <paramref name="index"/> (0-based).</summary>
    public Task<byte[]> LeafHashAsync(long index, CancellationToken cancellationToken) => SubtreeAsync(index, 1, cancellationToken);

    /// <summary>RFC 9162 §2.1.3.1: PATH(index, D[size]), leaf side first.</summary>
    public async Task<byte[][]> InclusionProofAsync(long index, long size, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, treeSize);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        var proof = new List<byte[]>();
        await PathAsync(index, 0, size, proof, cancellationToken).ConfigureAwait(false);
        return [.. proof];
    }

    /// <summary>RFC 9162 §2.1.4.1: PROOF(oldSize, D[newSize]); empty when oldSize is 0 or equals newSize.</summary>
    public async Task<byte[][]> ConsistencyProofAsync(long oldSize, long newSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(newSize, treeSize);
        ArgumentOutOfRangeException.ThrowIfNegative(oldSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oldSize, newSize);
        var proof = new List<byte[]>();
        if (oldSize > 0 && oldSize < newSize)
        {
            await SubProofAsync(oldSize, 0, newSize, true, proof, cancellationToken).ConfigureAwait(false);
        }
        return [.. proof];
    }

    private async Task PathAsync(long m, long start, long n, List<byte[]> proof, CancellationToken cancellationToken)
    {
        if (n == 1)
        {
            return;
        }
        var k = MerkleTree.SplitPoint(n);
        if (m < k)
        {
            await PathAsync(m, start, k, proof, cancellationToken).ConfigureAwait(false);
            proof.Add(await SubtreeAsync(start + k, n - k, cancellationToken).ConfigureAwait(false));
        }
        else
        {
            await PathAsync(m - k, start + k, n - k, proof, cancellationToken).ConfigureAwait(false);
            proof.Add(await SubtreeAsync(start, k, cancellationToken).ConfigureAwait(false));
        }
    }

    private async Task SubProofAsync(long m, long start, long n, bool completeSubtree, List<byte[]> proof, CancellationToken cancellationToken)
    {
        if (m == n)
        {
            if (!completeSubtree)
            {
                proof.Add(await SubtreeAsync(start, n, cancellationToken).ConfigureAwait(false));
            }
            return;
        }
        var k = MerkleTree.SplitPoint(n);
        if (m <= k)
        {
            await SubProofAsync(m, start, k, completeSubtree, proof, cancellationToken).ConfigureAwait(false);
            proof.Add(await SubtreeAsync(start + k, n - k, cancellationToken).ConfigureAwait(false));
        }
        else
        {
            await SubProofAsync(m - k, start + k, n - k, false, proof, cancellationToken).ConfigureAwait(false);
            proof.Add(await SubtreeAsync(start, k, cancellationToken).ConfigureAwait(false));
        }
    }

    // MTH(D[start:start+n]) for n ≥ 1: a perfect aligned subtree comes from one tile, anything else is split.
    private async Task<byte[]> SubtreeAsync(long start, long n, CancellationToken cancellationToken)
    {
        if (BitOperations.IsPow2(n) && start % n == 0)
        {
            return await PerfectAsync(start, BitOperations.Log2((ulong)n), cancellationToken).ConfigureAwait(false);
        }
        var k = MerkleTree.SplitPoint(n);
        var left = await SubtreeAsync(start, k, cancellationToken).ConfigureAwait(false);
        var right = await SubtreeAsync(start + k, n - k, cancellationToken).ConfigureAwait(false);
        return MerkleTree.HashChildren(left, right);
    }

    private async Task<byte[]> PerfectAsync(long start, int height, CancellationToken cancellationToken)
    {
        var level = height / TilePath.Height;
        var rest = height % TilePath.Height;
        var position = start >> (TilePath.Height * level);
        var index = position / TilePath.FullWidth;
        var offset = (int)(position % TilePath.FullWidth);
        var tile = await TileAsync(level, index, cancellationToken).ConfigureAwait(false);
        var count = 1 << rest;
        var hashes = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            hashes[i] = tile.AsSpan((offset + i) * MerkleTree.HashSize, MerkleTree.HashSize).ToArray();
        }
        // RFC 9162 §2.1.1: hash pairs up the remaining levels inside the tile.
        for (; count > 1; count >>= 1)
        {
            for (var i = 0; i < count / 2; i++)
            {
                hashes[i] = MerkleTree.HashChildren(hashes[2 * i], hashes[(2 * i) + 1]);
            }
        }
        return hashes[0];
    }

    private async Task<byte[]> TileAsync(int level, long index, CancellationToken cancellationToken)
    {
        if (tiles.TryGetValue((level, index), out var cached))
        {
            return cached;
        }
        var width = TilePath.WidthAt(level, index, treeSize);
        if (width == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(index), "The tile lies beyond the tree size.");
        }
        var bytes = await readTile(new TilePath(level, index, width, IsEntries: false), cancellationToken).ConfigureAwait(false);
        if (bytes.Length != width * MerkleTree.HashSize)
        {
            throw new InvalidDataException($"tile {level}/{index}: {bytes.Length} bytes, expected {width * MerkleTree.HashSize}");
        }
        tiles[(level, index)] = bytes;
        return bytes;
    }
}
