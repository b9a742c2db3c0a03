using System.Security.Cryptography;
using System.Text;
using ChainGateway.Core.SharingLog;

namespace ChainGateway.Core.Tests.SharingLog;

/// <summary>
/// Grows a tree leaf by leaf and checks, at every size, the incremental root against a naive RFC 9162 §2.1.1
/// reference, every inclusion proof, and consistency proofs from a sample of older sizes (tlog's TestTree).
/// </summary>
public sealed class MerkleTreeTests
{
    private const int MaxSize = 300;
    private static readonly long[] OldSizes = [1, 2, 3, 7, 8, 9, 31, 32, 33, 100, 255, 256, 257];

    // The RFC 9162 §2.1.1 definition, literally: MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])).
    private static byte[] ReferenceRoot(List<byte[]> leaves, int start, int n)
    {
        if (n == 0)
        {
            return SHA256.HashData([]);
        }
        if (n == 1)
        {
            return leaves[start];
        }
        var k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }
        var left = ReferenceRoot(leaves, start, k);
        var right = ReferenceRoot(leaves, start + k, n - k);
        return SHA256.HashData([0x01, .. left, .. right]);
    }

    private static byte[] ReferenceLeaf(int i) => SHA256.HashData([0x00, .. Encoding.UTF8.GetBytes($"entry {i}")]);

    private static byte[][] Flip(byte[][] proof, int element)
    {
        var copy = proof.Select(h => h.ToArray()).ToArray();
        copy[element][element % MerkleTree.HashSize] ^= 0x01;
        return copy;
    }

    [Fact]
    public void GrowingTo300Leaves_RootAndEveryInclusionProof_MatchTheReference()
    {
        var tree = new MerkleTree();
        var leaves = new List<byte[]>();
        Assert.Equal(SHA256.HashData([]), tree.Root());
        for (var size = 1; size <= MaxSize; size++)
        {
            var entry = Encoding.UTF8.GetBytes($"entry {size - 1}");
            Assert.Equal(size - 1, tree.AppendEntry(entry));
            leaves.Add(ReferenceLeaf(size - 1));
            Assert.Equal(size, tree.Size);

            var root = tree.Root();
            Assert.Equal(ReferenceRoot(leaves, 0, size), root);
            Assert.Equal(root, tree.RootAt(size));

            for (var index = 0; index < size; index++)
            {
                var proof = tree.InclusionProof(index, size);
                var leaf = leaves[index];
                Assert.True(MerkleProofs.VerifyInclusion(leaf, index, size, proof, root), $"{index}/{size}");

                Assert.False(MerkleProofs.VerifyInclusion(leaf, index ^ 1, size, proof, root));
                Assert.False(MerkleProofs.VerifyInclusion(leaf, size, size, proof, root));
                Assert.False(MerkleProofs.VerifyInclusion(leaf, index, size * 2, proof, root));
                if (size / 2 > index)
                {
                    Assert.False(MerkleProofs.VerifyInclusion(leaf, index, size / 2, proof, root));
                }
                if (size > 1)
                {
                    Assert.False(MerkleProofs.VerifyInclusion(leaves[(index + 1) % size], index, size, proof, root));
                }
                for (var i = 0; i < proof.Length; i++)
                {
                    Assert.False(MerkleProofs.VerifyInclusion(leaf, index, size, Flip(proof, i), root));
                }
                if (proof.Length > 0)
                {
                    Assert.False(MerkleProofs.VerifyInclusion(leaf, index, size, proof[..^1], root));
                }
                Assert.False(MerkleProofs.VerifyInclusion(leaf, index, size, [.. proof, root], root));
            }
        }
    }

    [Fact]
    public void GrowingTo300Leaves_ConsistencyFromSampledOldSizes_Verifies_AndTamperingFails()
    {
        var tree = new MerkleTree();
        var roots = new List<byte[]> { tree.Root() };
        for (var size = 1; size <= MaxSize; size++)
        {
            tree.AppendEntry(Encoding.UTF8.GetBytes($"entry {size - 1}"));
            roots.Add(tree.Root());
        }

        foreach (var oldSize in OldSizes)
        {
            for (var newSize = oldSize; newSize <= MaxSize; newSize++)
            {
                var proof = tree.ConsistencyProof(oldSize, newSize);
                Assert.Equal(roots[(int)oldSize], tree.RootAt(oldSize));
                Assert.True(MerkleProofs.VerifyConsistency(oldSize, newSize, roots[(int)oldSize], roots[(int)newSize], proof), $"{oldSize}->{newSize}");
                if (oldSize == newSize)
                {
                    Assert.Empty(proof);
                    Assert.False(MerkleProofs.VerifyConsistency(oldSize, newSize, roots[(int)oldSize], roots[(int)oldSize - 1], proof));
                    continue;
                }

                var oldRoot = roots[(int)oldSize];
                var newRoot = roots[(int)newSize];
                for (var i = 0; i < proof.Length; i++)
                {
                    Assert.False(MerkleProofs.VerifyConsistency(oldSize, newSize, oldRoot, newRoot, Flip(proof, i)));
                }
                Assert.False(MerkleProofs.VerifyConsistency(oldSize, newSize, oldRoot, newRoot, []));
                Assert.False(MerkleProofs.VerifyConsistency(oldSize, newSize, oldRoot, newRoot, proof[..^1]));
                Assert.False(MerkleProofs.VerifyConsistency(oldSize, newSize, oldRoot, newRoot, [.. proof, newRoot]));
                Assert.False(MerkleProofs.VerifyConsistency(oldSize, newSize, newRoot, oldRoot, proof));
                Assert.False(MerkleProofs.VerifyConsistency(oldSize, newSize, roots[(int)oldSize - 1], newRoot, proof));
                Assert.False(MerkleProofs.VerifyConsistency(oldSize, newSize, oldRoot, roots[(int)newSize - 1], proof));
                Assert.False(MerkleProofs.VerifyConsistency(oldSize - 1, newSize, oldRoot, newRoot, proof));
                Assert.False(MerkleProofs.VerifyConsistency(oldSize + 1, newSize, oldRoot, newRoot, proof));
                Assert.False(MerkleProofs.VerifyConsistency(oldSize, newSize * 2, oldRoot, newRoot, proof));
                Assert.False(MerkleProofs.VerifyConsistency(newSize, oldSize, newRoot, oldRoot, proof));
            }
        }
    }

    [Fact]
    public void EmptyTree_IsConsistentOnlyWithAnEmptyProofFromTheEmptyRoot()
    {
        var tree = new MerkleTree();
        tree.AppendEntry([1, 2, 3]);
        var root = tree.Root();
        Assert.Empty(tree.ConsistencyProof(0, 1));
        Assert.True(MerkleProofs.VerifyConsistency(0, 1, MerkleTree.EmptyRoot.ToArray(), root, []));
        Assert.False(MerkleProofs.VerifyConsistency(0, 1, root, root, []));
        Assert.False(MerkleProofs.VerifyConsistency(0, 1, MerkleTree.EmptyRoot.ToArray(), root, [root]));
    }

    [Fact]
    public void MalformedHashesAndSizes_FailVerification_WithoutThrowing()
    {
        var tree = new MerkleTree();
        tree.AppendEntry([1]);
        tree.AppendEntry([2]);
        var root = tree.Root();
        var leaf = MerkleTree.HashLeaf([1]);
        var proof = tree.InclusionProof(0, 2);
        Assert.True(MerkleProofs.VerifyInclusion(leaf, 0, 2, proof, root));
        Assert.False(MerkleProofs.VerifyInclusion(leaf[..31], 0, 2, proof, root));
        Assert.False(MerkleProofs.VerifyInclusion(leaf, 0, 2, [proof[0][..31]], root));
        Assert.False(MerkleProofs.VerifyInclusion(leaf, -1, 2, proof, root));
        Assert.False(MerkleProofs.VerifyInclusion(leaf, 0, 0, proof, root));
        Assert.False(MerkleProofs.VerifyConsistency(1, 2, leaf, root[..31], tree.ConsistencyProof(1, 2)));
        Assert.False(MerkleProofs.VerifyConsistency(-1, 2, leaf, root, []));
    }

    [Fact]
    public void OutOfRangeArguments_Throw()
    {
        var tree = new MerkleTree();
        tree.AppendEntry([1]);
        Assert.Throws<ArgumentException>(() => tree.Append(new byte[31]));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.RootAt(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.InclusionProof(1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.InclusionProof(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.ConsistencyProof(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.ConsistencyProof(0, 2));
    }
}
