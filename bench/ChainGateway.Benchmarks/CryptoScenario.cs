using System.Diagnostics;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.Federation;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using NSec.Cryptography;

namespace ChainGateway.Benchmarks;

/// <summary>
/// seal+sign and verify+open per second on one core, against the bare primitives they are made of (X25519 key
/// generation and agreement, ChaCha20-Poly1305, Ed25519 sign and verify), measured in the same run.
/// </summary>
internal static class CryptoScenario
{
    public static Result Run(TimeSpan budget, out double primitiveSealPerSecond, out double primitiveOpenPerSecond)
    {
        using var sender = OrganisationKeys.Generate("politie");
        using var receiver = OrganisationKeys.Generate("om");
        var trust = System.Text.Encoding.UTF8.GetBytes($$"""
            { "federationId": "bench", "organisations": [ {{Listed(sender)}}, {{Listed(receiver)}} ] }
            """);
        var trustList = TrustList.Parse(trust, "bench");
        var agreementHash = new byte[32];
        var opener = new EnvelopeOpener("om", receiver, trustList, agreementHash, TimeProvider.System, EnvelopeLimits.Default);
        var header = new EnvelopeHeader
        {
            Version = 1,
            MessageId = ByteString.CopyFrom(MessageId.ToBytes(MessageId.New(TimeProvider.System))),
            Sender = "politie",
            Recipient = "om",
            SignalType = "StalkingReported",
            Purpose = "risk-assessment",
            RuleId = "r",
            AgreementHash = ByteString.CopyFrom(agreementHash),
            SenderKeyId = sender.SigningKeyId,
            RecipientKeyId = receiver.EnvelopeKeyId,
            CreatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            ExpiresAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)),
        };
        var payload = new SignalPayload { Signal = BenchFederation.SampleSignal() };
        var sealedEnvelope = EnvelopeSealer.Seal(header, payload, receiver.Envelope.PublicKey, sender.Signing).Envelope;

        var seal = Rate(budget, () => EnvelopeSealer.Seal(header, payload, receiver.Envelope.PublicKey, sender.Signing));
        var open = Rate(budget, () => opener.Open(opener.Authenticate(sealedEnvelope, "politie")));

        // The bare primitives of one seal: an ephemeral X25519 key, one agreement, one AEAD encryption, one signature.
        var plaintext = payload.ToByteArray();
        var ciphertext = new byte[plaintext.Length + 16];
        var tag = new byte[16];
        var aeadKey = new byte[32];
        var nonce = new byte[12];
        var message = new byte[sealedEnvelope.CalculateSize()];
        var signature = SignatureAlgorithm.Ed25519.Sign(sender.Signing, message);
        var keygen = Rate(budget, () => { using var k = Key.Create(KeyAgreementAlgorithm.X25519); });
        var agree = Rate(budget, () => { using var s = KeyAgreementAlgorithm.X25519.Agree(receiver.Envelope, sender.Envelope.PublicKey); });
        var aead = Rate(budget, () => { using var c = new System.Security.Cryptography.ChaCha20Poly1305(aeadKey); c.Encrypt(nonce, plaintext, ciphertext.AsSpan(0, plaintext.Length), tag); });
        var sign = Rate(budget, () => SignatureAlgorithm.Ed25519.Sign(sender.Signing, message));
        var verify = Rate(budget, () => SignatureAlgorithm.Ed25519.Verify(sender.Signing.PublicKey, message, signature));
        primitiveSealPerSecond = 1 / ((1 / keygen) + (1 / agree) + (1 / aead) + (1 / sign));
        primitiveOpenPerSecond = 1 / ((1 / verify) + (1 / agree) + (1 / aead));
        return new Result("crypto", "seal+sign/s", seal, double.NaN, double.NaN, double.NaN, new Dictionary<string, double>
        {
            ["seal_per_s"] = seal,
            ["open_per_s"] = open,
            ["primitives_seal_per_s"] = primitiveSealPerSecond,
            ["primitives_open_per_s"] = primitiveOpenPerSecond,
            ["seal_cost_vs_primitives"] = primitiveSealPerSecond / seal,
            ["open_cost_vs_primitives"] = primitiveOpenPerSecond / open,
            ["x25519_keygen_per_s"] = keygen,
            ["x25519_agree_per_s"] = agree,
            ["ed25519_sign_per_s"] = sign,
            ["ed25519_verify_per_s"] = verify,
            ["chacha20poly1305_per_s"] = aead,
        });
    }

    /// <summary>Operations per second of <paramref name="operation"/> on this thread within the budget.</summary>
    private static double Rate(TimeSpan budget, Action operation)
    {
        for (var i = 0; i < 50; i++)
        {
            operation();
        }
        var clock = Stopwatch.StartNew();
        long count = 0;
        while (clock.Elapsed < budget)
        {
            for (var i = 0; i < 20; i++)
            {
                operation();
            }
            count += 20;
        }
        return count / clock.Elapsed.TotalSeconds;
    }

    private static string Listed(OrganisationKeys keys)
    {
        static string Key(PublicKey key) => $$"""[{ "publicKey": "{{System.Buffers.Text.Base64Url.EncodeToString(key.Export(KeyBlobFormat.RawPublicKey))}}" }]""";
        return $$"""{ "id": "{{keys.Organisation}}", "peerEndpoint": "127.0.0.1:1", "signingKeys": {{Key(keys.Signing.PublicKey)}}, "envelopeKeys": {{Key(keys.Envelope.PublicKey)}}, "pseudonymKeys": {{Key(keys.Pseudonym.PublicKey)}} }""";
    }
}
