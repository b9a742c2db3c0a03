using System.Buffers.Text;
using System.Text;
using ChainGateway.Core.Federation;
using ChainGateway.Core.Subjects;
using NSec.Cryptography;

namespace ChainGateway.Core.Tests.Subjects;

public sealed class PseudonymKeyRingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DuringAnOverlap_BothSidesAgreeOnEveryGeneration_AndAfterItOnlyTheNewOne()
    {
        using var a = OrganisationKeys.Generate("a");
        using var b = OrganisationKeys.Generate("b");
        var rotated = Key.Create(KeyAgreementAlgorithm.X25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        b.AddPseudonymKey(rotated);
        var list = TrustListOf(
            ("a", [(a.Pseudonym.PublicKey, Now.AddDays(-10), Now.AddDays(10))]),
            ("b", [(b.Pseudonym.PublicKey, Now.AddDays(-10), Now.AddDays(1)), (rotated.PublicKey, Now.AddDays(-1), Now.AddDays(30))]));
        var ringA = new PseudonymKeyRing(a, list, "a");
        var ringB = new PseudonymKeyRing(b, list, "b");
        var subject = SubjectId.Bsn("123456782", "subject");

        var fromA = ringA.Generations("b", Now);
        var fromB = ringB.Generations("a", Now);

        Assert.Equal(2, fromA.Count);
        // Newest first: what a sender uses today is the rotated key.
        Assert.Equal(KeyThumbprint.Of(rotated.PublicKey), fromA[0].PartnerKeyId);
        foreach (var generation in fromA)
        {
            var mirror = fromB.Single(g => g.OwnKeyId == generation.PartnerKeyId && g.PartnerKeyId == generation.OwnKeyId);
            Assert.Equal(ringA.Pseudonym(generation, subject), ringB.Pseudonym(mirror, subject));
        }
        Assert.NotEqual(ringA.Pseudonym(fromA[0], subject), ringA.Pseudonym(fromA[1], subject));
        Assert.Single(ringA.Generations("b", Now.AddDays(2)));
        // A sender uses its newest listed key valid now: the rotated one, as the partners' indexes expect.
        var withRotated = new PairwisePseudonymizer(rotated, "b", list.FederationId).Pseudonym("a", a.Pseudonym.PublicKey, subject);
        Assert.Equal(withRotated, ringB.Current(Now).Pseudonym("a", a.Pseudonym.PublicKey, subject));
        Assert.Equal(ringA.Pseudonym(fromA[0], subject), ringB.Current(Now).Pseudonym("a", a.Pseudonym.PublicKey, subject));
        // Once the rotated key's window ends (and the old one's has too), the primary key again.
        var withPrimary = new PairwisePseudonymizer(b.Pseudonym, "b", list.FederationId).Pseudonym("a", a.Pseudonym.PublicKey, subject);
        Assert.Equal(withPrimary, ringB.Current(Now.AddDays(31)).Pseudonym("a", a.Pseudonym.PublicKey, subject));
        // Before the rotated key is valid, the old one.
        Assert.Equal(withPrimary, ringB.Current(Now.AddDays(-2)).Pseudonym("a", a.Pseudonym.PublicKey, subject));
    }

    [Fact]
    public void UpcomingKey_IsActiveForTheIndexBeforeItIsValid()
    {
        using var a = OrganisationKeys.Generate("a");
        using var b = OrganisationKeys.Generate("b");
        var next = Key.Create(KeyAgreementAlgorithm.X25519);
        var list = TrustListOf(
            ("a", [(a.Pseudonym.PublicKey, Now.AddDays(-10), Now.AddDays(10))]),
            ("b", [(b.Pseudonym.PublicKey, Now.AddDays(-10), Now.AddDays(10)), (next.PublicKey, Now.AddDays(5), Now.AddDays(30))]));
        var ring = new PseudonymKeyRing(a, list, "a");

        Assert.Single(ring.Generations("b", Now));
        Assert.Equal(2, ring.Generations("b", Now, includeUpcoming: true).Count);
    }

    private static TrustList TrustListOf(params (string Id, (PublicKey Key, DateTimeOffset From, DateTimeOffset To)[] Pseudonym)[] organisations)
    {
        var json = new StringBuilder("""{"federationId":"test","organisations":[""");
        var first = true;
        foreach (var (id, keys) in organisations)
        {
            var filler = Key.Create(SignatureAlgorithm.Ed25519).PublicKey;
            var x = Key.Create(KeyAgreementAlgorithm.X25519).PublicKey;
            json.Append(first ? "" : ",").Append($$"""{"id":"{{id}}","signingKeys":[{{Listed(filler, null, null)}}],"envelopeKeys":[{{Listed(x, null, null)}}],"pseudonymKeys":[""")
                .Append(string.Join(',', keys.Select(k => Listed(k.Key, k.From, k.To)))).Append("]}");
            first = false;
        }
        json.Append("]}");
        return TrustList.Parse(Encoding.UTF8.GetBytes(json.ToString()), "test");
    }

    private static string Listed(PublicKey key, DateTimeOffset? from, DateTimeOffset? to)
    {
        var raw = Base64Url.EncodeToString(key.Export(KeyBlobFormat.RawPublicKey));
        var window = from is null ? "" : $",\"notBefore\":\"{from:O}\",\"notAfter\":\"{to:O}\"";
        return $"{{\"publicKey\":\"{raw}\"{window}}}";
    }
}
