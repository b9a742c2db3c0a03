using System.Buffers.Text;
using System.Text;
using ChainGateway.Core.Federation;
using NSec.Cryptography;

namespace ChainGateway.Core.Tests.KeySets;

/// <summary>A node's own keys against the trust list's windows: what the operator is told, and when.</summary>
public sealed class OwnKeyWindowsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private readonly OrganisationKeys keys = OrganisationKeys.Generate("politie");

    public void Dispose() => keys.Dispose();

    private static (DateTimeOffset, DateTimeOffset) Days(int from, int to) => (Now.AddDays(from), Now.AddDays(to));

    private TrustList ListedAs((DateTimeOffset, DateTimeOffset) signing, (DateTimeOffset, DateTimeOffset) envelope, (DateTimeOffset, DateTimeOffset) pseudonym,
        (PublicKey Key, DateTimeOffset From, DateTimeOffset To)? nextEnvelope = null)
    {
        var envelopes = Listed(keys.Envelope.PublicKey, envelope);
        if (nextEnvelope is { } next)
        {
            envelopes += "," + Listed(next.Key, (next.From, next.To));
        }
        var json = $$"""
            {"federationId":"test","organisations":[{"id":"politie","signingKeys":[{{Listed(keys.Signing.PublicKey, signing)}}],
            "envelopeKeys":[{{envelopes}}],"pseudonymKeys":[{{Listed(keys.Pseudonym.PublicKey, pseudonym)}}]}]}
            """;
        return TrustList.Parse(Encoding.UTF8.GetBytes(json), "test");
    }

    private static string Listed(PublicKey key, (DateTimeOffset From, DateTimeOffset To) window) =>
        $"{{\"publicKey\":\"{Base64Url.EncodeToString(key.Export(KeyBlobFormat.RawPublicKey))}\",\"notBefore\":\"{window.From:O}\",\"notAfter\":\"{window.To:O}\"}}";

    [Fact]
    public void KeysListedForMonthsToCome_GiveNoNotice()
    {
        Assert.Empty(OwnKeyWindows.Check(keys, ListedAs(Days(-10, 300), Days(-10, 300), Days(-10, 300)), Now));
    }

    [Fact]
    public void ASigningKeyEndingInTenDays_IsAWarning_NamingTheKeyAndTheDay()
    {
        var notice = Assert.Single(OwnKeyWindows.Check(keys, ListedAs(Days(-10, 10), Days(-10, 300), Days(-10, 300)), Now));
        Assert.Equal((KeyUse.Signing, keys.SigningKeyId, false), (notice.Use, notice.KeyId, notice.Expired));
        Assert.Equal(Now.AddDays(10), notice.Until);
        Assert.Contains("in 10 days", notice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEnvelopeKeyEndingSoon_WithAHeldSuccessorListedToFollow_GivesNoNotice_WithoutTheSuccessorHeldItDoes()
    {
        using var next = Key.Create(KeyAgreementAlgorithm.X25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        var list = ListedAs(Days(-10, 300), Days(-10, 10), Days(-10, 300), (next.PublicKey, Now.AddDays(5), Now.AddDays(400)));

        var withoutSuccessor = Assert.Single(OwnKeyWindows.Check(keys, list, Now));
        Assert.Equal(KeyUse.Envelope, withoutSuccessor.Use);

        Assert.Contains("not in keys.json yet", withoutSuccessor.Message, StringComparison.Ordinal);
        // From day 5 partners seal to the successor: not held, nothing they send opens here.
        var unheld = OwnKeyWindows.Check(keys, list, Now.AddDays(6));
        Assert.Contains(unheld, n => n.Use == KeyUse.Envelope && n.Expired && n.KeyId == KeyThumbprint.Of(next.PublicKey));

        keys.AddEnvelopeKey(Key.Import(KeyAgreementAlgorithm.X25519, next.Export(KeyBlobFormat.RawPrivateKey), KeyBlobFormat.RawPrivateKey));
        Assert.Empty(OwnKeyWindows.Check(keys, list, Now));
        Assert.Empty(OwnKeyWindows.Check(keys, list, Now.AddDays(6)));
    }

    [Fact]
    public void AKeyWhoseWindowEnded_IsExpired_AndAnUnlistedOrganisationToo()
    {
        var notice = Assert.Single(OwnKeyWindows.Check(keys, ListedAs(Days(-300, -1), Days(-10, 300), Days(-10, 300)), Now));
        Assert.Equal((KeyUse.Signing, true), (notice.Use, notice.Expired));
        Assert.Contains("valid now", notice.Message, StringComparison.Ordinal);

        using var other = OrganisationKeys.Generate("om");
        Assert.True(Assert.Single(OwnKeyWindows.Check(other, ListedAs(Days(-10, 300), Days(-10, 300), Days(-10, 300)), Now)).Expired);
    }
}
