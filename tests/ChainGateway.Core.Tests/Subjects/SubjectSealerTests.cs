using System.Security.Cryptography;
using System.Text;
using ChainGateway.Core.Subjects;

namespace ChainGateway.Core.Tests.Subjects;

public sealed class SubjectSealerTests
{
    private static readonly byte[] IndexKey = RandomNumberGenerator.GetBytes(SubjectSealer.KeySize);

    [Fact]
    public void SealedId_OpensToTheSubject_AndHoldsNoIdentifierInClear()
    {
        using var sealer = new SubjectSealer(IndexKey);
        var subject = SubjectId.Bsn("123456782", "subject");
        var key = sealer.KeyOf(subject);

        var sealedId = sealer.Seal(subject, key);

        Assert.Equal(subject, sealer.Open(sealedId, key));
        Assert.True(sealedId.AsSpan().IndexOf(Encoding.ASCII.GetBytes("123456782")) < 0);
        Assert.True(key.AsSpan().IndexOf(Encoding.ASCII.GetBytes("123456782")) < 0);
    }

    [Fact]
    public void TamperedOrMovedSealedId_DoesNotOpen()
    {
        using var sealer = new SubjectSealer(IndexKey);
        var subject = SubjectId.Local("OM-17", "subject");
        var key = sealer.KeyOf(subject);
        var sealedId = sealer.Seal(subject, key);

        var flipped = (byte[])sealedId.Clone();
        flipped[^1] ^= 1;
        Assert.Null(sealer.Open(flipped, key));
        // Bound to its row: the same box under another subject's key does not open.
        Assert.Null(sealer.Open(sealedId, sealer.KeyOf(SubjectId.Local("OM-18", "subject"))));
        using var otherNode = new SubjectSealer(RandomNumberGenerator.GetBytes(SubjectSealer.KeySize));
        Assert.Null(otherNode.Open(sealedId, key));
    }

    [Fact]
    public void SubjectKey_IsKeyedPerNode()
    {
        using var one = new SubjectSealer(IndexKey);
        using var other = new SubjectSealer(RandomNumberGenerator.GetBytes(SubjectSealer.KeySize));
        var subject = SubjectId.Bsn("111222333", "subject");
        Assert.Equal(one.KeyOf(subject), one.KeyOf(subject));
        Assert.NotEqual(one.KeyOf(subject), other.KeyOf(subject));
    }

    [Fact]
    public void WrongKeyLength_Throws() => Assert.Throws<ArgumentException>(() => new SubjectSealer(new byte[16]));
}
