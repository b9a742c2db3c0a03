// RFC 9162 §2.1: the Merkle Tree Hash (MTH) over the sharing log, append-only.
//
//   leaf hash  = SHA-256(0x00 || entry bytes)          (§2.1.1)
//   node hash  = SHA-256(0x01 || left || right)        (§2.1.1)
//   MTH({})    = SHA-256("")                           (§2.1.1, the empty tree)
//   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two smaller than n
//
// Hashes are 32 bytes. Sizes and indexes are non-negative longs. Invariants: a hash once stored never changes
// (append-only); levels[l][i] is the root of the perfect subtree of 2^l leaves starting at leaf i·2^l, so
// every left subtree the RFC's recursions meet is a stored node and MTH, PATH (§2.1.3.1) and PROOF (§2.1.4.1)
// cost O(log n) hashes. The frontier holds the roots of the perfect subtrees that make up the current size
// (largest first), one per set bit of Size, so Root() folds at most log2(n) of them.
using System.Numerics;
using System.Security.Cryptography;

namespace ChainGateway.Core.SharingLog;

/// <summary>An in-memory, append-only RFC 9162 Merkle tree with inclusion and consistency proofs.</summary>
public sealed class MerkleTree
{
    /// <summary>The size of every hash in the tree (SHA-256).</summary>
    public const int HashSize = 32;

    // levels[0] are the leaf hashes; levels[l][i] = MTH of leaves [i·2^l, (i+1)·2^l).
    private readonly List<List<byte[]>> levels = [[]];

    // Roots of the perfect subtrees covering [0, Size), largest (leftmost) first.
    private readonly List<byte[]> frontier = [];

    /// <summary>RFC 9162 §2.1.1: the hash of an empty tree, SHA-256 of the empty string.</summary>
    public static ReadOnlySpan<byte> EmptyRoot =>
    [
        0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
        0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
    ];

    /// <summary>The number of leaves.</summary>
    public long Size => levels[0].Count;

    /// <summary>RFC 9162 §2.1.1: SHA-256(0x00 || entry bytes).</summary>
    public static byte[] HashLeaf(ReadOnlySpan<byte> entryBytes)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([0x00]);
        hash.AppendData(entryBytes);
        return hash.GetHashAndReset();
    }

    /// <summary>RFC 9162 §2.1.1: SHA-256(0x01 || left || right).</summary>
    public static byte[] HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> input = stackalloc byte[1 + (2 * HashSize)];
        input[0] = 0x01;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + HashSize)..]);
        return SHA256.HashData(input);
    }

    /// <summary>Appends the leaf for <paramref name="entryBytes"/> (hashed here) and returns its index.</summary>
    public long AppendEntry(byte[] entryBytes)
    {
        ArgumentNullException.ThrowIfNull(entryBytes);
        return Append(HashLeaf(entryBytes));
    }

    /// <summary>Appends an already computed leaf hash (<see cref="HashLeaf"/>) and returns its index.</summary>
    public long Append(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != HashSize)
        {
            throw new ArgumentException($"A leaf hash is {HashSize} bytes.", nameof(leafHash));
        }
        var index = Size;
        var node = leafHash.ToArray();
        levels[0].Add(node);
        frontier.Add(node);

        // Each trailing one bit of the old size is a perfect subtree that the new leaf now completes.
        for (var (level, position) = (0, index); (position & 1) == 1; level++, position >>= 1)
        {
            var right = frontier[^1];
            var left = frontier[^2];
            frontier.RemoveRange(frontier.Count - 2, 2);
            node = HashChildren(left, right);
            frontier.Add(node);
            if (levels.Count == level + 1)
            {
                levels.Add([]);
            }
            levels[level + 1].Add(node);
        }
        return index;
    }

    /// <summary>The root of the tree at its current size, from the frontier in O(log n).</summary>
    public byte[] Root()
    {
        if (frontier.Count == 0)
        {
            return EmptyRoot.ToArray();
        }
        var root = frontier[^1];
        for (var i = frontier.Count - 2; i >= 0; i--)
        {
            root = HashChildren(frontier[i], root);
        }
        return root.ToArray();
    }

    /// <summary>The root of the tree when it had <paramref name="size"/> leaves (0 ≤ size ≤ Size).</summary>
    public byte[] RootAt(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, Size);
        return size == 0 ? EmptyRoot.ToArray() : Subtree(0, size).ToArray();
    }

    /// <summary>
    /// The stored root of the perfect subtree of 2^<paramref name="level"/> leaves starting at leaf
    /// index·2^level (what a C2SP tlog-tiles hash tile lists); it must lie within the tree.
    /// </summary>
    public byte[] PerfectSubtree(int level, long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (level >= levels.Count || index >= levels[level].Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), "The subtree is not complete in this tree.");
        }
        return levels[level][checked((int)index)].ToArray();
    }

    /// <summary>RFC 9162 §2.1.3.1: the audit path PATH(index, D[size]), leaf side first.</summary>
    public byte[][] InclusionProof(long index, long size)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, Size);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        var proof = new List<byte[]>();
        Path(index, 0, size, proof);
        return [.. proof];
    }

    /// <summary>
    /// RFC 9162 §2.1.4.1: PROOF(oldSize, D[newSize]). Empty when oldSize is 0 or equals newSize (every tree is
    /// consistent with the empty tree and with itself).
    /// </summary>
    public byte[][] ConsistencyProof(long oldSize, long newSize)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(newSize, Size);
        ArgumentOutOfRangeException.ThrowIfNegative(oldSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oldSize, newSize);
        var proof = new List<byte[]>();
        if (oldSize > 0 && oldSize < newSize)
        {
            SubProof(oldSize, 0, newSize, true, proof);
        }
        return [.. proof];
    }

    // PATH(m, D[start:start+n]): recurse towards the leaf, then add the sibling subtree (so leaf side first).
    private void Path(long m, long start, long n, List<byte[]> proof)
    {
        if (n == 1)
        {
            return;
        }
        var k = SplitPoint(n);
        if (m < k)
        {
            Path(m, start, k, proof);
            proof.Add(Subtree(start + k, n - k).ToArray());
        }
        else
        {
            Path(m - k, start + k, n - k, proof);
            proof.Add(Subtree(start, k).ToArray());
        }
    }

    // SUBPROOF(m, D[start:start+n], b) of RFC 9162 §2.1.4.1.
    private void SubProof(long m, long start, long n, bool completeSubtree, List<byte[]> proof)
    {
        if (m == n)
        {
            if (!completeSubtree)
            {
                proof.Add(Subtree(start, n).ToArray());
            }
            return;
        }
        var k = SplitPoint(n);
        if (m <= k)
        {
            SubProof(m, start, k, completeSubtree, proof);
            proof.Add(Subtree(start + k, n - k).ToArray());
        }
        else
        {
            SubProof(m - k, start + k, n - k, false, proof);
            proof.Add(Subtree(start, k).ToArray());
        }
    }

    // MTH(D[start:start+n]) for n ≥ 1, using the stored perfect subtrees.
    private byte[] Subtree(long start, long n)
    {
        if (BitOperations.IsPow2(n) && start % n == 0)
        {
            return levels[BitOperations.Log2((ulong)n)][checked((int)(start / n))];
        }
        var k = SplitPoint(n);
        return HashChildren(Subtree(start, k), Subtree(start + k, n - k));
    }

    // RFC 9162 §2.1.1: the largest power of two smaller than n (n ≥ 2).
    internal static long SplitPoint(long n) => (long)BitOperations.RoundUpToPowerOf2((ulong)n) >> 1;
}
