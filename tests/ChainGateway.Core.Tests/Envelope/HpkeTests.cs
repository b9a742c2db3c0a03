using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ChainGateway.Core.Envelope;
using NSec.Cryptography;

namespace ChainGateway.Core.Tests.Envelope;

public sealed class HpkeTests
{
    private static readonly VectorFile A21 = VectorFile.Load("rfc9180-a2-1.txt");

    private static Key Private(byte[] raw) =>
        Key.Import(KeyAgreementAlgorithm.X25519, raw, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

    private static PublicKey Public(byte[] raw) => PublicKey.Import(KeyAgreementAlgorithm.X25519, raw, KeyBlobFormat.RawPublicKey);

    [Fact]
    public void Rfc9180A21_KeyScheduleMatchesEveryIntermediateValue()
    {
        using var skE = Private(A21.Hex("skEm"));
        Assert.Equal(A21.Hex("pkEm"), skE.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var pkR = Public(A21.Hex("pkRm"));
        var (sharedSecret, key, baseNonce, exporter) = Hpke.Schedule(skE, pkR, A21.Hex("enc"), pkR, A21.Hex("info"));
        Assert.Equal(A21.Hex("shared_secret"), sharedSecret);
        Assert.Equal(A21.Hex("key"), key);
        Assert.Equal(A21.Hex("base_nonce"), baseNonce);
        Assert.Equal(A21.Hex("exporter_secret"), exporter);
    }

    [Fact]
    public void Rfc9180A21_RecipientSideDerivesTheSameSchedule()
    {
        using var skR = Private(A21.Hex("skRm"));
        var (sharedSecret, key, _, _) = Hpke.Schedule(skR, Public(A21.Hex("enc")), A21.Hex("enc"), skR.PublicKey, A21.Hex("info"));
        Assert.Equal(A21.Hex("shared_secret"), sharedSecret);
        Assert.Equal(A21.Hex("key"), key);
    }

    [Fact]
    public void Rfc9180A21_SealWithTheVectorsEphemeralKey_GivesTheVectorsCiphertext()
    {
        using var skE = Private(A21.Hex("skEm"));
        var pt = A21.Hex("pt");
        var enc = new byte[Hpke.EncapsulatedKeySize];
        var ct = new byte[pt.Length + Hpke.TagSize];
        Hpke.SealWithEphemeral(skE, Public(A21.Hex("pkRm")), A21.Hex("info"), A21.Hex("aad"), pt, enc, ct);
        Assert.Equal(A21.Hex("enc"), enc);
        Assert.Equal(A21.Hex("ct"), ct);
    }

    [Fact]
    public void Rfc9180A21_OpenDecryptsTheVectorsCiphertext()
    {
        using var skR = Private(A21.Hex("skRm"));
        var ct = A21.Hex("ct");
        var pt = new byte[ct.Length - Hpke.TagSize];
        Assert.True(Hpke.Open(skR, A21.Hex("enc"), A21.Hex("info"), A21.Hex("aad"), ct, pt));
        Assert.Equal(A21.Hex("pt"), pt);
    }

    [Theory]
    [InlineData("enc")]
    [InlineData("ct")]
    [InlineData("tag")]
    [InlineData("aad")]
    [InlineData("info")]
    public void AnyFlippedByte_FailsToOpen_AndLeavesNoPlaintext(string what)
    {
        using var skR = Private(A21.Hex("skRm"));
        var enc = A21.Hex("enc");
        var ct = A21.Hex("ct");
        var aad = A21.Hex("aad");
        var info = A21.Hex("info");
        switch (what)
        {
            case "enc": enc[7] ^= 0x01; break;
            case "ct": ct[3] ^= 0x80; break;
            case "tag": ct[^1] ^= 0x01; break;
            case "aad": aad[0] ^= 0x01; break;
            default: info[^1] ^= 0x01; break;
        }
        var pt = new byte[ct.Length - Hpke.TagSize];
        pt.AsSpan().Fill(0xAA);
        Assert.False(Hpke.Open(skR, enc, info, aad, ct, pt));
        Assert.All(pt, b => Assert.Equal(0, b));
    }

    [Fact]
    public void WrongBufferSizes_Throw()
    {
        using var skR = Private(A21.Hex("skRm"));
        var ct = A21.Hex("ct");
        Assert.Throws<ArgumentException>(() => Hpke.Open(skR, new byte[31], [], [], ct, new byte[ct.Length - 16]));
        Assert.Throws<ArgumentException>(() => Hpke.Open(skR, A21.Hex("enc"), [], [], ct, new byte[ct.Length]));
        Assert.Throws<ArgumentException>(() => Hpke.Seal(skR.PublicKey, [], [], new byte[10], new byte[32], new byte[10]));
        using var ed = Key.Create(SignatureAlgorithm.Ed25519);
        Assert.Throws<ArgumentException>(() => Hpke.Open(ed, A21.Hex("enc"), [], [], ct, new byte[ct.Length - 16]));
    }

    [Fact]
    public void RecipientKeyThatMayNotBeExported_StillOpens()
    {
        // Such a key takes NSec's own agreement path instead of the stack-buffer one.
        using var skR = Key.Import(KeyAgreementAlgorithm.X25519, A21.Hex("skRm"), KeyBlobFormat.RawPrivateKey);
        Assert.Equal(KeyExportPolicies.None, skR.ExportPolicy);
        var ct = A21.Hex("ct");
        var pt = new byte[ct.Length - Hpke.TagSize];
        Assert.True(Hpke.Open(skR, A21.Hex("enc"), A21.Hex("info"), A21.Hex("aad"), ct, pt));
        Assert.Equal(A21.Hex("pt"), pt);
        var sealedCt = new byte[pt.Length + Hpke.TagSize];
        var enc = new byte[Hpke.EncapsulatedKeySize];
        Hpke.Seal(skR.PublicKey, [7], [8], pt, enc, sealedCt);
        var opened = new byte[pt.Length];
        Assert.True(Hpke.Open(skR, enc, [7], [8], sealedCt, opened));
        Assert.Equal(pt, opened);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SmallOrderEnc_FailsToOpen_AndLeavesNoPlaintext(bool exportable)
    {
        using var skR = exportable
            ? Private(A21.Hex("skRm"))
            : Key.Import(KeyAgreementAlgorithm.X25519, A21.Hex("skRm"), KeyBlobFormat.RawPrivateKey);
        var ct = A21.Hex("ct");
        var pt = new byte[ct.Length - Hpke.TagSize];
        pt.AsSpan().Fill(0xAA);
        Assert.False(Hpke.Open(skR, new byte[Hpke.EncapsulatedKeySize], A21.Hex("info"), A21.Hex("aad"), ct, pt));
        Assert.All(pt, b => Assert.Equal(0, b));
    }

    [Fact]
    public void SmallOrderRecipientKey_Throws()
    {
        var pkR = Public(new byte[32]);
        Assert.Throws<CryptographicException>(() => Hpke.Seal(pkR, [], [], new byte[4], new byte[32], new byte[20]));
    }

    private static readonly int[] Sizes = [0, 1, 15, 16, 17, 255, 1024, 4096];

    [Fact]
    public void OursSeals_IndependentImplementationOpens_AcrossSizes()
    {
        var operations = new JsonArray();
        var expected = new List<byte[]>();
        foreach (var size in Sizes)
        {
            var rawPrivate = RandomNumberGenerator.GetBytes(32);
            using var skR = Private(rawPrivate);
            var pt = RandomNumberGenerator.GetBytes(size);
            var info = RandomNumberGenerator.GetBytes(size % 40);
            var aad = RandomNumberGenerator.GetBytes(size % 97);
            var enc = new byte[32];
            var ct = new byte[size + 16];
            Hpke.Seal(skR.PublicKey, info, aad, pt, enc, ct);
            operations.Add(new JsonObject
            {
                ["op"] = "open",
                ["skR"] = HpkeJs.Hex(rawPrivate),
                ["enc"] = HpkeJs.Hex(enc),
                ["info"] = HpkeJs.Hex(info),
                ["aad"] = HpkeJs.Hex(aad),
                ["ct"] = HpkeJs.Hex(ct),
            });
            expected.Add(pt);
        }
        var results = HpkeJs.Run(operations);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Null(results[i]!["error"]);
            Assert.Equal(expected[i], HpkeJs.Bytes(results[i]!["pt"]));
        }
    }

    [Fact]
    public void IndependentImplementationSeals_OursOpens_AcrossSizes()
    {
        var operations = new JsonArray();
        var cases = new List<(Key Key, byte[] Pt, byte[] Info, byte[] Aad)>();
        try
        {
            foreach (var size in Sizes)
            {
                var key = Private(RandomNumberGenerator.GetBytes(32));
                var pt = RandomNumberGenerator.GetBytes(size);
                var info = "chaingateway/v1/envelope"u8.ToArray();
                var aad = RandomNumberGenerator.GetBytes(size % 50);
                cases.Add((key, pt, info, aad));
                operations.Add(new JsonObject
                {
                    ["op"] = "seal",
                    ["pkR"] = HpkeJs.Hex(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
                    ["info"] = HpkeJs.Hex(info),
                    ["aad"] = HpkeJs.Hex(aad),
                    ["pt"] = HpkeJs.Hex(pt),
                });
            }
            var results = HpkeJs.Run(operations);
            for (var i = 0; i < cases.Count; i++)
            {
                var ct = HpkeJs.Bytes(results[i]!["ct"]);
                var opened = new byte[ct.Length - 16];
                Assert.True(Hpke.Open(cases[i].Key, HpkeJs.Bytes(results[i]!["enc"]), cases[i].Info, cases[i].Aad, ct, opened));
                Assert.Equal(cases[i].Pt, opened);
            }
        }
        finally
        {
            cases.ForEach(c => c.Key.Dispose());
        }
    }

    [Fact]
    public void IndependentImplementation_RefusesOurCiphertextWithAFlippedByte()
    {
        var rawPrivate = RandomNumberGenerator.GetBytes(32);
        using var skR = Private(rawPrivate);
        var enc = new byte[32];
        var ct = new byte[20 + 16];
        Hpke.Seal(skR.PublicKey, [1, 2], [3], new byte[20], enc, ct);
        ct[5] ^= 0x01;
        var results = HpkeJs.Run([new JsonObject
        {
            ["op"] = "open", ["skR"] = HpkeJs.Hex(rawPrivate), ["enc"] = HpkeJs.Hex(enc),
            ["info"] = "0102", ["aad"] = "03", ["ct"] = HpkeJs.Hex(ct),
        }]);
        Assert.NotNull(results[0]!["error"]);
    }
}
