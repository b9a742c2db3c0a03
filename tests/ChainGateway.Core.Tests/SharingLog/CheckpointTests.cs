using System.Globalization;
using ChainGateway.Core.SharingLog;
using NSec.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace ChainGateway.Core.Tests.SharingLog;

/// <summary>C2SP tlog-checkpoint notes: the exact layout, round trips, and tampering.</summary>
public sealed class CheckpointTests
{
    private static readonly VectorFile Golden = VectorFile.Load("checkpoint-golden.txt");
    private static KeyCreationParameters Exportable => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    private static Key GoldenKey() =>
        Key.Import(SignatureAlgorithm.Ed25519, Golden.Hex("secret"), KeyBlobFormat.RawPrivateKey, Exportable);

    private static string Origin => Golden.Text("origin");

    private static long Size => long.Parse(Golden.Text("size"), CultureInfo.InvariantCulture);

    private static string Sign(Key key) => Checkpoint.Sign(Origin, Size, Golden.Hex("root"), Origin, key);

    [Fact]
    public void FixedKeyAndRoot_ProduceTheGoldenNote()
    {
        using var key = GoldenKey();
        var expected = $"{Origin}\n{Size}\n{Golden.Text("root.base64")}\n\n\u2014 {Origin} {Golden.Text("signature")}\n";
        Assert.Equal(expected, Sign(key));
        Assert.Equal(uint.Parse(Golden.Text("keyid"), NumberStyles.HexNumber, CultureInfo.InvariantCulture), SignedNote.KeyId(Origin, key.PublicKey));
        Assert.Equal(Golden.Text("vkey"), SignedNote.VerifierKey(Origin, key.PublicKey));
    }

    [Fact]
    public void GoldenSignature_VerifiesWithBouncyCastle_OverTheBodyBytes()
    {
        using var key = GoldenKey();
        var body = System.Text.Encoding.UTF8.GetBytes(Checkpoint.FormatBody(Origin, Size, Golden.Hex("root")));
        var blob = Convert.FromBase64String(Golden.Text("signature"));
        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)));
        verifier.BlockUpdate(body, 0, body.Length);
        Assert.True(verifier.VerifySignature(blob[4..]));
    }

    [Fact]
    public void SignedCheckpoint_RoundTrips_ThroughParseAndOpen()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var tree = new MerkleTree();
        for (var i = 0; i < 1000; i++)
        {
            tree.AppendEntry([(byte)i, (byte)(i >> 8)]);
        }
        var origin = Checkpoint.OriginFor("org-b");
        var note = Checkpoint.Sign(origin, tree.Size, tree.Root(), origin, key);

        var parsed = Checkpoint.Parse(note);
        Assert.Equal("chaingateway/org-b", parsed.Origin);
        Assert.Equal(1000, parsed.Size);
        Assert.Equal(tree.Root(), parsed.RootHash);
        Assert.Empty(parsed.Extensions);
        var line = Assert.Single(parsed.Signatures);
        Assert.Equal(origin, line.KeyName);
        Assert.Equal(SignedNote.KeyId(origin, key.PublicKey), line.KeyId);
        Assert.Equal(64, line.Signature.Length);

        Assert.True(SignedNote.Verify(note, origin, key.PublicKey));
        var opened = Checkpoint.Open(note, origin, key.PublicKey);
        Assert.NotNull(opened);
        Assert.Equal(tree.Root(), opened.RootHash);
    }

    [Fact]
    public void EmptyTree_IsSize0WithTheEmptyRoot()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var note = Checkpoint.Sign("chaingateway/org-a", 0, new MerkleTree().Root(), "chaingateway/org-a", key);
        Assert.StartsWith("chaingateway/org-a\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n", note, StringComparison.Ordinal);
        Assert.Equal(0, Checkpoint.Parse(note).Size);
    }

    [Fact]
    public void FlippedByteInBodyOrSignature_FailsToOpen()
    {
        using var key = GoldenKey();
        var note = Sign(key);
        var bodyLength = Checkpoint.FormatBody(Origin, Size, Golden.Hex("root")).Length;
        var bytes = System.Text.Encoding.UTF8.GetBytes(note);
        var bodyBytes = System.Text.Encoding.UTF8.GetByteCount(note[..bodyLength]);
        for (var i = 0; i < bytes.Length - 1; i++)
        {
            var bad = bytes.ToArray();
            bad[i] ^= 0x01;
            var text = System.Text.Encoding.UTF8.GetString(bad);
            Assert.False(SignedNote.Verify(text, Origin, key.PublicKey), $"byte {i} ({(i < bodyBytes ? "body" : "signature")})");
            Assert.Null(Checkpoint.Open(text, Origin, key.PublicKey));
        }
    }

    [Fact]
    public void OtherKeyNameOrKey_FailsToOpen()
    {
        using var key = GoldenKey();
        using var other = Key.Create(SignatureAlgorithm.Ed25519);
        var note = Sign(key);
        Assert.Null(Checkpoint.Open(note, "chaingateway/org-b", key.PublicKey));
        Assert.Null(Checkpoint.Open(note, Origin, other.PublicKey));
        Assert.NotNull(Checkpoint.Open(note, Origin, key.PublicKey));
    }

    [Theory]
    [InlineData("chaingateway/org-a\n03\nrra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=\n")]
    [InlineData("chaingateway/org-a\n-3\nrra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=\n")]
    [InlineData("chaingateway/org-a\n+3\nrra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=\n")]
    [InlineData("chaingateway/org-a\n99999999999999999999\nrra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=\n")]
    [InlineData("chaingateway/org-a\n3\nrra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngb\n")]
    [InlineData("chaingateway/org-a\n3\n")]
    [InlineData("\n3\nrra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=\n")]
    public void MalformedBody_DoesNotParse_EvenWhenSigned(string body)
    {
        using var key = GoldenKey();
        var note = SignedNote.Sign(body, Origin, key);
        Assert.True(SignedNote.Verify(note, Origin, key.PublicKey));
        Assert.False(Checkpoint.TryParse(note, out _));
        Assert.Throws<FormatException>(() => Checkpoint.Parse(note));
        Assert.Null(Checkpoint.Open(note, Origin, key.PublicKey));
    }

    [Fact]
    public void ExtensionLines_AreKeptByParse()
    {
        using var key = GoldenKey();
        var note = SignedNote.Sign("chaingateway/org-a\n3\nrra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=\nextra one\n", Origin, key);
        Assert.Equal(["extra one"], Checkpoint.Parse(note).Extensions);
    }

    [Fact]
    public void BadOriginOrRoot_Throws()
    {
        using var key = GoldenKey();
        Assert.Throws<ArgumentException>(() => Checkpoint.Sign("chain gateway", 1, new byte[32], Origin, key));
        Assert.Throws<ArgumentException>(() => Checkpoint.Sign("", 1, new byte[32], Origin, key));
        Assert.Throws<ArgumentException>(() => Checkpoint.Sign(Origin, 1, new byte[31], Origin, key));
        Assert.Throws<ArgumentOutOfRangeException>(() => Checkpoint.Sign(Origin, -1, new byte[32], Origin, key));
        Assert.Throws<ArgumentException>(() => Checkpoint.OriginFor("org a"));
    }
}
