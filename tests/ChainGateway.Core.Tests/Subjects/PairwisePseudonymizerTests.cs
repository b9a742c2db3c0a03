using ChainGateway.Core.Subjects;
using NSec.Cryptography;

namespace ChainGateway.Core.Tests.Subjects;

public sealed class PairwisePseudonymizerTests
{
    private static readonly SubjectId Subject = SubjectId.Bsn("123456782", "s");

    [Fact]
    public void BothSidesOfAPair_ComputeTheSamePseudonym()
    {
        using var a = Key.Create(KeyAgreementAlgorithm.X25519);
        using var b = Key.Create(KeyAgreementAlgorithm.X25519);
        var atA = new PairwisePseudonymizer(a, "politie", "fed").Pseudonym("om", b.PublicKey, Subject);
        var atB = new PairwisePseudonymizer(b, "om", "fed").Pseudonym("politie", a.PublicKey, Subject);
        Assert.Equal(32, atA.Length);
        Assert.Equal(atA, atB);
    }

    [Fact]
    public void TwoPairs_NeverShareAPseudonym()
    {
        using var a = Key.Create(KeyAgreementAlgorithm.X25519);
        using var b = Key.Create(KeyAgreementAlgorithm.X25519);
        using var c = Key.Create(KeyAgreementAlgorithm.X25519);
        var pseudonyms = new PairwisePseudonymizer(a, "politie", "fed");
        Assert.NotEqual(pseudonyms.Pseudonym("om", b.PublicKey, Subject), pseudonyms.Pseudonym("reclassering", c.PublicKey, Subject));
    }

    [Fact]
    public void AThirdPartyWithItsOwnKey_GetsAnotherValue()
    {
        using var a = Key.Create(KeyAgreementAlgorithm.X25519);
        using var b = Key.Create(KeyAgreementAlgorithm.X25519);
        using var eve = Key.Create(KeyAgreementAlgorithm.X25519);
        var real = new PairwisePseudonymizer(a, "politie", "fed").Pseudonym("om", b.PublicKey, Subject);
        var guess = new PairwisePseudonymizer(eve, "politie", "fed").Pseudonym("om", b.PublicKey, Subject);
        Assert.NotEqual(real, guess);
    }

    [Fact]
    public void OtherFederationOrSubjectKind_GivesAnotherValue()
    {
        using var a = Key.Create(KeyAgreementAlgorithm.X25519);
        using var b = Key.Create(KeyAgreementAlgorithm.X25519);
        var fed1 = new PairwisePseudonymizer(a, "politie", "fed-1").Pseudonym("om", b.PublicKey, Subject);
        var fed2 = new PairwisePseudonymizer(a, "politie", "fed-2").Pseudonym("om", b.PublicKey, Subject);
        var local = new PairwisePseudonymizer(a, "politie", "fed-1").Pseudonym("om", b.PublicKey, SubjectId.Local("123456782", "s"));
        Assert.NotEqual(fed1, fed2);
        Assert.NotEqual(fed1, local);
    }
}
