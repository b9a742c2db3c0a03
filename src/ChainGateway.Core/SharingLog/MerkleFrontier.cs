// RFC 9162 §2.1.1 roots of a growing tree without keeping it: the frontier is the roots of the perfect subtrees that
// make up the current size (one per set bit, largest first), in one fixed buffer. Appending costs one SHA-256 per
// completed subtree (amortised one), no allocation; Root folds at most 63 of them. For log verify over millions of
// entries, where only the roots at the checkpoints' sizes are needed.
using System.Security.Cryptography;

namespace ChainGateway.Core.SharingLog;

/// <summary>An append-only RFC 9162 tree that keeps only its frontier: sizes and roots, no proofs.</summary>
public sealed class MerkleFrontier
{
    private const int HashSize = MerkleTree.HashSize;
    private readonly byte[] stack = new byte[64 * HashSize];
    private readonly byte[] node = new byte[1 + (2 * HashSize)];
    private int depth;

    public long Size { get; private set; }

    /// <summary>Appends a leaf hash (32 bytes).</summary>
    public void Append(ReadOnlySpan<byte> leafHash) => AppendSubtree(leafHash, 0);

    /// <summary>
    /// Appends the root of a perfect subtree of 2^<paramref name="height"/> leaves (a leaf hash for height 0); the size
    /// must be a multiple of 2^height, so the subtree is one the tree of the new size is built from.
    /// </summary>
    public void AppendSubtree(ReadOnlySpan<byte> root, int height)
    {
        if (root.Length != HashSize)
        {
            throw new ArgumentException($"A leaf hash or subtree root is {HashSize} bytes.", nameof(root));
        }
        if (height is < 0 or > 62 || Size % (1L << height) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(height), $"A subtree of 2^{height} leaves cannot follow {Size} leaves.");
        }
        root.CopyTo(stack.AsSpan(depth++ * HashSize));
        // Each one bit of the old size from bit height up, up to the first zero, is a perfect subtree the new one
        // completes: node = H(0x01 || l || r).
        for (var position = Size >> height; (position & 1) == 1; position >>= 1)
        {
            node[0] = 0x01;
            stack.AsSpan((depth - 2) * HashSize, 2 * HashSize).CopyTo(node.AsSpan(1));
            depth--;
            SHA256.HashData(node, stack.AsSpan((depth - 1) * HashSize, HashSize));
        }
        Size += 1L << height;
    }

    /// <summary>MTH of the current tree (the empty root for size 0).</summary>
    public byte[] Root()
    {
        if (depth == 0)
        {
            return MerkleTree.EmptyRoot.ToArray();
        }
        var root = stack.AsSpan((depth - 1) * HashSize, HashSize).ToArray();
        for (var i = depth - 2; i >= 0; i--)
        {
            root = MerkleTree.HashChildren(stack.AsSpan(i * HashSize, HashSize), root);
        }
        return root;
    }
}
