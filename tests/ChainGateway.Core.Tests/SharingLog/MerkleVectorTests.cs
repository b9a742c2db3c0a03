using ChainGateway.Core.SharingLog;

namespace ChainGateway.Core.Tests.SharingLog;

/// <summary>Our RFC 9162 tree and verifiers against Certificate Transparency's published Merkle test data.</summary>
public sealed class MerkleVectorTests
{
    private static readonly VectorFile Ct = VectorFile.Load("rfc9162-ct-merkle.txt");

    private static MerkleTree EightLeaves()
    {
        var tree = new MerkleTree();
        for (var i = 0; i < 8; i++)
        {
            tree.AppendEntry(Ct.Hex($"leaf.{i}"));
        }
        return tree;
    }

    private static byte[][] Proof(string name) =>
        [.. Ct.Text(name).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Convert.FromHexString)];

    private static (long A, long B) Pair(string name)
    {
        var parts = Ct.Text(name).Split(' ');
        return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void CtLeaves_RootAtEverySize_MatchesPublishedRoots()
    {
        var tree = new MerkleTree();
        Assert.Equal(Ct.Hex("root.0"), tree.Root());
        Assert.Equal(Ct.Hex("root.0"), MerkleTree.EmptyRoot.ToArray());
        for (var n = 1; n <= 8; n++)
        {
            Assert.Equal(n - 1, tree.AppendEntry(Ct.Hex($"leaf.{n - 1}")));
            Assert.Equal(Ct.Hex($"root.{n}"), tree.Root());
        }
        for (var n = 0; n <= 8; n++)
        {
            Assert.Equal(Ct.Hex($"root.{n}"), tree.RootAt(n));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void CtInclusionProof_IsProducedExactly_AndVerifies(int vector)
    {
        var (index, size) = Pair($"inclusion.{vector}");
        var expected = Proof($"inclusion.{vector}.proof");
        var tree = EightLeaves();
        Assert.Equal(expected, tree.InclusionProof(index, size));
        var leaf = MerkleTree.HashLeaf(Ct.Hex($"leaf.{index}"));
        var root = Ct.Hex($"root.{size}");
        Assert.True(MerkleProofs.VerifyInclusion(leaf, index, size, expected, root));
        Assert.False(MerkleProofs.VerifyInclusion(leaf, index, size, expected, Ct.Hex($"root.{size - 1}")));
        Assert.False(MerkleProofs.VerifyInclusion(leaf, index, size, [.. expected, root], root));
        for (var i = 0; i < expected.Length; i++)
        {
            var bad = expected.Select(h => h.ToArray()).ToArray();
            bad[i][0] ^= 0x08;
            Assert.False(MerkleProofs.VerifyInclusion(leaf, index, size, bad, root));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void CtConsistencyProof_IsProducedExactly_AndVerifies(int vector)
    {
        var (oldSize, newSize) = Pair($"consistency.{vector}");
        var expected = Proof($"consistency.{vector}.proof");
        var tree = EightLeaves();
        Assert.Equal(expected, tree.ConsistencyProof(oldSize, newSize));
        var oldRoot = Ct.Hex($"root.{oldSize}");
        var newRoot = Ct.Hex($"root.{newSize}");
        Assert.True(MerkleProofs.VerifyConsistency(oldSize, newSize, oldRoot, newRoot, expected));
        if (oldSize == newSize)
        {
            return;
        }
        Assert.False(MerkleProofs.VerifyConsistency(oldSize, newSize, newRoot, oldRoot, expected));
        Assert.False(MerkleProofs.VerifyConsistency(oldSize, newSize, oldRoot, newRoot, []));
        Assert.False(MerkleProofs.VerifyConsistency(oldSize, newSize, oldRoot, newRoot, expected[..^1]));
        Assert.False(MerkleProofs.VerifyConsistency(oldSize, newSize, oldRoot, newRoot, [.. expected, oldRoot]));
        for (var i = 0; i < expected.Length; i++)
        {
            var bad = expected.Select(h => h.ToArray()).ToArray();
            bad[i][0] ^= 0x10;
            Assert.False(MerkleProofs.VerifyConsistency(oldSize, newSize, oldRoot, newRoot, bad));
        }
    }
}
