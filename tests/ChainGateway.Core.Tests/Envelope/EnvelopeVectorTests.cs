using System.Buffers.Text;
using System.Text;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Federation;
using Google.Protobuf;
using Microsoft.Extensions.Time.Testing;
using NSec.Cryptography;

namespace ChainGateway.Core.Tests.Envelope;

/// <summary>
/// Our own envelope vectors (Vectors/envelope/*.txt): each file states the expected outcome on its <c>expect:</c>
/// line, failure vectors beside the success one, as age does with C2SP CCTV.
/// </summary>
public sealed class EnvelopeVectorTests
{
    private static string[] Names() =>
        Directory.GetFiles(VectorFile.PathOf("envelope"), "*.txt").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray();

    public static TheoryData<string> Files() => new(Names());

    [Theory]
    [MemberData(nameof(Files))]
    public void Vector_HasItsExpectedOutcome(string file)
    {
        var vector = VectorFile.Load(Path.Combine("envelope", file));
        var now = DateTimeOffset.Parse(vector.Text("now"), System.Globalization.CultureInfo.InvariantCulture);
        using var sender = OrganisationKeys.FromRaw("politie", vector.Hex("sender_signing_seed"), Filled(1), Filled(2));
        using var recipient = OrganisationKeys.FromRaw("reclassering", Filled(3), vector.Hex("recipient_envelope_key"), Filled(4));
        using var om = OrganisationKeys.FromRaw("om", Filled(5), Filled(6), Filled(7));
        var trustList = TrustList.Parse(Encoding.UTF8.GetBytes($$"""
            { "federationId": "vectors", "organisations": [ {{Listed(sender)}}, {{Listed(recipient)}}, {{Listed(om)}} ] }
            """), "vectors");
        var opener = new EnvelopeOpener("reclassering", recipient, trustList, vector.Hex("agreement_hash"), new FakeTimeProvider(now), EnvelopeLimits.Default);
        var envelope = new Contracts.V1.Envelope
        {
            Header = ByteString.CopyFrom(vector.Hex("header")),
            Enc = ByteString.CopyFrom(vector.Hex("enc")),
            Ciphertext = ByteString.CopyFrom(vector.Hex("ciphertext")),
            Signature = ByteString.CopyFrom(vector.Hex("signature")),
        };

        var expect = vector.Text("expect");
        if (expect == "success")
        {
            var payload = opener.Open(opener.Authenticate(envelope, vector.Text("peer")));
            Assert.Equal(vector.Hex("payload"), payload.ToByteArray());
            return;
        }
        var error = Assert.Throws<ChainGatewayException>(() => opener.Open(opener.Authenticate(envelope, vector.Text("peer"))));
        Assert.Equal(expect, error.Reason.ToWire().Replace('_', ' ').ToLowerInvariant());
    }

    [Fact]
    public void EveryOutcomeOfTheVectors_IsCovered()
    {
        var outcomes = Names().Select(f => VectorFile.Load(Path.Combine("envelope", f)).Text("expect")).ToHashSet();
        Assert.Subset(outcomes, new HashSet<string> { "success", "bad signature", "decrypt failed", "agreement mismatch", "expired", "clock skew", "unknown key", "sender mismatch" });
    }

    private static byte[] Filled(byte value) => Enumerable.Repeat(value, 32).ToArray();

    private static string Listed(OrganisationKeys keys)
    {
        static string Key(PublicKey key) => $$"""[{ "publicKey": "{{Base64Url.EncodeToString(key.Export(KeyBlobFormat.RawPublicKey))}}" }]""";
        return $$"""
            { "id": "{{keys.Organisation}}", "peerEndpoint": "127.0.0.1:1", "signingKeys": {{Key(keys.Signing.PublicKey)}},
              "envelopeKeys": {{Key(keys.Envelope.PublicKey)}}, "pseudonymKeys": {{Key(keys.Pseudonym.PublicKey)}} }
            """;
    }
}
