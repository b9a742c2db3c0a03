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
    public void Append(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != HashSize)
        {
            throw new ArgumentException($"A leaf hash is {HashSize} bytes.", nameof(leafHash));
        }
        leafHash.CopyTo(stack.AsSpan(depth++ * HashSize));
        // Each trailing one bit of the old size is a perfect subtree the new leaf completes: node = H(0x01 || l || r).
        for (var position = Size; (position & 1) == 1; position >>= 1)
        {
            node[0] = 0x01;
            stack.AsSpan((depth - 2) * HashSize, 2 * HashSize).CopyTo(node.AsSpan(1));
            depth--;
            SHA256.HashData(node, stack.AsSpan((depth - 1) * HashSize, HashSize));
        }
        Size++;
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
