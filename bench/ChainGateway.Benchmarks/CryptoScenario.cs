using System.Diagnostics;
using System.Runtime.InteropServices;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.Federation;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using NSec.Cryptography;

namespace ChainGateway.Benchmarks;

/// <summary>
/// seal+sign and verify+open per second on one thread, against the primitives they are made of, measured in the
/// same run and interleaved: every operation is warmed up first (the JIT's tiering, not a fixed count of calls),
/// then each is timed for a slice in turn, round after round; rates are the median round's, and each ratio is taken
/// within one round (the same seconds of machine load) and the median of those reported. A measurement that ran
/// once, first, on a just-started process (as this scenario did before) caught the tiering and read seal 1.5x slower
/// than the same code timed a few seconds later; on a shared machine a burst of load otherwise hits one operation only.
/// <para>Three baselines, all reported (docs/performance.md):</para>
/// <list type="bullet">
/// <item>nsec: X25519 keygen and agreement as NSec Key/SharedSecret objects, each in its own sodium_malloc'd secure
/// memory (the original definition; the envelope code no longer makes those objects, so this is no longer a floor).</item>
/// <item>bare: the same primitives on byte buffers (libsodium X25519 base-point and variable-point multiplication,
/// 32 random bytes), ChaCha20-Poly1305 and Ed25519.</item>
/// <item>bare+format: bare plus what RFC 9180 and DESIGN.md §4 require on top of the primitives for every envelope:
/// the HKDF-SHA256 steps of the DHKEM and key schedule (2 extracts, 3 expands) and SHA-256 of the signature input.</item>
/// </list>
/// </summary>
internal static class CryptoScenario
{
    private const int Rounds = 5;

    public static Result Run(TimeSpan budget, out double primitiveSealPerSecond, out double primitiveOpenPerSecond, out double primitiveReceiptPerSecond)
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

        // The primitives of one seal: an ephemeral X25519 key, one agreement, one AEAD encryption, one signature;
        // of one open: a verification, one agreement, one AEAD decryption (same cost as encryption).
        var plaintext = payload.ToByteArray();
        var ciphertext = new byte[plaintext.Length + 16];
        var tag = new byte[16];
        var aeadKey = new byte[32];
        var nonce = new byte[12];
        var message = new byte[sealedEnvelope.CalculateSize()];
        var signature = SignatureAlgorithm.Ed25519.Sign(sender.Signing, message);
        var scalar = new byte[32];
        var point = new byte[32];
        var shared = new byte[32];
        var recipientPublic = receiver.Envelope.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        System.Security.Cryptography.RandomNumberGenerator.Fill(scalar);
        var kdf = new KeySchedulePrimitives();

        var operations = new (string Name, Action Operation)[]
        {
            ("seal", () => EnvelopeSealer.Seal(header, payload, receiver.Envelope.PublicKey, sender.Signing)),
            ("open", () => opener.Open(opener.Authenticate(sealedEnvelope, "politie"))),
            ("nsec_keygen", () => { using var k = Key.Create(KeyAgreementAlgorithm.X25519); }),
            ("nsec_agree", () => { using var s = KeyAgreementAlgorithm.X25519.Agree(receiver.Envelope, sender.Envelope.PublicKey); }),
            ("bare_keygen", () => { System.Security.Cryptography.RandomNumberGenerator.Fill(scalar); _ = Libsodium.crypto_scalarmult_curve25519_base(ref point[0], in scalar[0]); }),
            ("bare_agree", () => _ = Libsodium.crypto_scalarmult_curve25519(ref shared[0], in scalar[0], in recipientPublic[0])),
            ("aead", () => { using var c = new System.Security.Cryptography.ChaCha20Poly1305(aeadKey); c.Encrypt(nonce, plaintext, ciphertext.AsSpan(0, plaintext.Length), tag); }),
            ("sign", () => SignatureAlgorithm.Ed25519.Sign(sender.Signing, message)),
            ("verify", () => SignatureAlgorithm.Ed25519.Verify(sender.Signing.PublicKey, message, signature)),
            ("hkdf_schedule", kdf.Run),
            ("sha256", () => System.Security.Cryptography.SHA256.HashData(message)),
        };
        var rounds = Measure(operations, budget);
        var rate = rounds.ToDictionary(r => r.Key, r => Median(r.Value));
        // Cost per operation of the named primitives, in each round; ratios are taken within a round (the same
        // seconds of machine load) and the median round's ratio reported.
        double[] Cost(params string[] names) => [.. Enumerable.Range(0, Rounds).Select(i => names.Sum(n => 1 / rounds[n][i]))];
        double Ratio(string operation, double[] primitives) => Median([.. primitives.Select((c, i) => 1 / (rounds[operation][i] * c))]);

        var seal = rate["seal"];
        var open = rate["open"];
        var nsecSeal = Cost("nsec_keygen", "nsec_agree", "aead", "sign");
        var nsecOpen = Cost("verify", "nsec_agree", "aead");
        var bareSeal = Cost("bare_keygen", "bare_agree", "aead", "sign");
        var bareOpen = Cost("verify", "bare_agree", "aead");
        var formatSeal = Cost("bare_keygen", "bare_agree", "aead", "sign", "hkdf_schedule", "sha256");
        var formatOpen = Cost("verify", "bare_agree", "aead", "hkdf_schedule", "sha256");
        primitiveSealPerSecond = 1 / Median(bareSeal);
        primitiveOpenPerSecond = 1 / Median(bareOpen);
        // The signed receipt: the receiver signs it, the sender verifies it.
        primitiveReceiptPerSecond = 1 / Median(Cost("sign", "verify"));
        return new Result("crypto", "seal+sign/s", seal, double.NaN, double.NaN, double.NaN, new Dictionary<string, double>
        {
            ["seal_per_s"] = seal,
            ["open_per_s"] = open,
            ["primitives_seal_per_s"] = 1 / Median(nsecSeal),
            ["primitives_open_per_s"] = 1 / Median(nsecOpen),
            ["seal_cost_vs_primitives"] = Ratio("seal", nsecSeal),
            ["open_cost_vs_primitives"] = Ratio("open", nsecOpen),
            ["bare_primitives_seal_per_s"] = primitiveSealPerSecond,
            ["bare_primitives_open_per_s"] = primitiveOpenPerSecond,
            ["bare_primitives_receipt_per_s"] = primitiveReceiptPerSecond,
            ["seal_cost_vs_bare_primitives"] = Ratio("seal", bareSeal),
            ["open_cost_vs_bare_primitives"] = Ratio("open", bareOpen),
            ["seal_cost_vs_bare_primitives_and_format"] = Ratio("seal", formatSeal),
            ["open_cost_vs_bare_primitives_and_format"] = Ratio("open", formatOpen),
            ["x25519_keygen_per_s"] = rate["nsec_keygen"],
            ["x25519_agree_per_s"] = rate["nsec_agree"],
            ["x25519_bare_keygen_per_s"] = rate["bare_keygen"],
            ["x25519_bare_agree_per_s"] = rate["bare_agree"],
            ["ed25519_sign_per_s"] = rate["sign"],
            ["ed25519_verify_per_s"] = rate["verify"],
            ["chacha20poly1305_per_s"] = rate["aead"],
            ["hkdf_schedule_per_s"] = rate["hkdf_schedule"],
            ["sha256_envelope_per_s"] = rate["sha256"],
        });
    }

    /// <summary>
    /// Operations per second of each operation on this thread: all warmed up for a fifth of the budget each, then
    /// <see cref="Rounds"/> rounds in which each runs for budget / rounds in turn: each operation's rate per round.
    /// </summary>
    private static Dictionary<string, List<double>> Measure((string Name, Action Operation)[] operations, TimeSpan budget)
    {
        var slice = budget / Rounds;
        foreach (var (_, operation) in operations)
        {
            Run(operation, slice);
        }
        var rounds = operations.ToDictionary(o => o.Name, _ => new List<double>());
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var (name, operation) in operations)
            {
                rounds[name].Add(Run(operation, slice));
            }
        }
        return rounds;
    }

    private static double Median(IEnumerable<double> values) => values.Order().ElementAt(Rounds / 2);

    private static double Run(Action operation, TimeSpan slice)
    {
        var clock = Stopwatch.StartNew();
        long count = 0;
        while (clock.Elapsed < slice)
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

    /// <summary>
    /// The HKDF-SHA256 calls RFC 9180 makes per message once key_schedule_context is known: §4.1 LabeledExtract
    /// (eae_prk) and LabeledExpand (shared_secret, 32), §5.1 LabeledExtract (secret) and LabeledExpand (key 32,
    /// base_nonce 12), with inputs of the labelled sizes; libsodium's HKDF, as Hpke uses.
    /// </summary>
    private sealed class KeySchedulePrimitives
    {
        private readonly byte[] eaePrk = new byte[7 + 5 + 7 + 32];
        private readonly byte[] sharedSecretInfo = new byte[2 + 7 + 5 + 13 + 64];
        private readonly byte[] secretIkm = new byte[7 + 10 + 6];
        private readonly byte[] keyInfo = new byte[2 + 7 + 10 + 3 + 65];
        private readonly byte[] nonceInfo = new byte[2 + 7 + 10 + 10 + 65];
        private readonly byte[] prk = new byte[32];
        private readonly byte[] secret = new byte[32];
        private readonly byte[] output = new byte[32];

        public void Run()
        {
            _ = Libsodium.crypto_kdf_hkdf_sha256_extract(ref prk[0], in secret[0], 0, in eaePrk[0], (nuint)eaePrk.Length);
            _ = Libsodium.crypto_kdf_hkdf_sha256_expand(ref secret[0], 32, in sharedSecretInfo[0], (nuint)sharedSecretInfo.Length, in prk[0]);
            _ = Libsodium.crypto_kdf_hkdf_sha256_extract(ref prk[0], in secret[0], 32, in secretIkm[0], (nuint)secretIkm.Length);
            _ = Libsodium.crypto_kdf_hkdf_sha256_expand(ref output[0], 32, in keyInfo[0], (nuint)keyInfo.Length, in prk[0]);
            _ = Libsodium.crypto_kdf_hkdf_sha256_expand(ref output[0], 12, in nonceInfo[0], (nuint)nonceInfo.Length, in prk[0]);
        }
    }

    /// <summary>libsodium's X25519 and HKDF-SHA256 on byte buffers: the bare primitives under NSec's objects.</summary>
    private static class Libsodium
    {
        [DllImport("libsodium", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        public static extern int crypto_kdf_hkdf_sha256_extract(ref byte prk, in byte salt, nuint saltLength, in byte ikm, nuint ikmLength);

        [DllImport("libsodium", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        public static extern int crypto_kdf_hkdf_sha256_expand(ref byte output, nuint outputLength, in byte info, nuint infoLength, in byte prk);

        [DllImport("libsodium", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        public static extern int crypto_scalarmult_curve25519(ref byte q, in byte n, in byte p);

        [DllImport("libsodium", CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        public static extern int crypto_scalarmult_curve25519_base(ref byte q, in byte n);
    }
}
