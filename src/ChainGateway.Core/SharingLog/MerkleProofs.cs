// RFC 9162 §2.1.3.2 (verifying an inclusion proof) and §2.1.4.2 (verifying a consistency proof), over the
// hashes of MerkleTree (32-byte SHA-256, leaf prefix 0x00, node prefix 0x01).
//
// Verifiers see untrusted input: a malformed proof (wrong hash length, too long, too short, sizes out of range)
// is a failed verification and returns false; only null arguments throw.
using System.Security.Cryptography;

namespace ChainGateway.Core.SharingLog;

/// <summary>Static verifiers for RFC 9162 inclusion and consistency proofs.</summary>
public static class MerkleProofs
{
    /// <summary>RFC 9162 §2.1.3.2: does <paramref name="proof"/> show leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves with <paramref name="root"/>?</summary>
    public static bool VerifyInclusion(byte[] leafHash, long index, long size, byte[][] proof, byte[] root)
    {
        ArgumentNullException.ThrowIfNull(leafHash);
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentNullException.ThrowIfNull(root);
        if (index < 0 || index >= size || !IsHash(leafHash) || !IsHash(root) || !proof.All(IsHash))
        {
            return false;
        }

        // Steps 2-5: fn = leaf_index, sn = tree_size - 1, r = leaf_hash.
        var fn = index;
        var sn = size - 1;
        var r = leafHash;
        foreach (var p in proof)
        {
            if (sn == 0)
            {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                r = MerkleTree.HashChildren(p, r);
                // Step 5.b.ii: skip the levels where this node has no right sibling.
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = MerkleTree.HashChildren(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        // Step 6: sn is 0 and r equals the root.
        return sn == 0 && CryptographicOperations.FixedTimeEquals(r, root);
    }

    /// <summary>
    /// RFC 9162 §2.1.4.2: is the tree of <paramref name="newSize"/> leaves with <paramref name="newRoot"/> an
    /// append-only extension of the one of <paramref name="oldSize"/> leaves with <paramref name="oldRoot"/>?
    /// For oldSize 0 the proof must be empty and oldRoot the empty root; for equal sizes, empty and equal roots.
    /// </summary>
    public static bool VerifyConsistency(long oldSize, long newSize, byte[] oldRoot, byte[] newRoot, byte[][] proof)
    {
        ArgumentNullException.ThrowIfNull(oldRoot);
        ArgumentNullException.ThrowIfNull(newRoot);
        ArgumentNullException.ThrowIfNull(proof);
        if (oldSize < 0 || oldSize > newSize || !IsHash(oldRoot) || !IsHash(newRoot) || !proof.All(IsHash))
        {
            return false;
        }
        if (oldSize == 0)
        {
            return proof.Length == 0 && MerkleTree.EmptyRoot.SequenceEqual(oldRoot);
        }
        if (oldSize == newSize)
        {
            return proof.Length == 0 && CryptographicOperations.FixedTimeEquals(oldRoot, newRoot);
        }
        // Step 1: a non-trivial proof is never empty.
        if (proof.Length == 0)
        {
            return false;
        }

        // Step 2: if first is an exact power of 2, prepend first_hash.
        byte[][] path = (oldSize & (oldSize - 1)) == 0 ? [oldRoot, .. proof] : proof;

        // Steps 3-4: fn = first - 1, sn = second - 1; shift while LSB(fn) is set.
        var fn = oldSize - 1;
        var sn = newSize - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        // Step 5: fr = sr = c[0]; step 6: the rest.
        var fr = path[0];
        var sr = path[0];
        foreach (var c in path.AsSpan(1))
        {
            if (sn == 0)
            {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = MerkleTree.HashChildren(c, fr);
                sr = MerkleTree.HashChildren(c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = MerkleTree.HashChildren(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }

        // Step 7: fr is first_hash, sr is second_hash, and sn is 0.
        return sn == 0
            && CryptographicOperations.FixedTimeEquals(fr, oldRoot)
            && CryptographicOperations.FixedTimeEquals(sr, newRoot);
    }

    private static bool IsHash(byte[]? hash) => hash is { Length: MerkleTree.HashSize };
}
