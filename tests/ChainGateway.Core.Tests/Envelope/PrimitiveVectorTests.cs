using ChainGateway.Core.Envelope;
using NSec.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace ChainGateway.Core.Tests.Envelope;

/// <summary>The primitives under the envelope, against their RFCs' vectors (NSec), and our signatures against BouncyCastle.</summary>
public sealed class PrimitiveVectorTests
{
    private static readonly VectorFile Ed = VectorFile.Load("rfc8032-7.1.txt");
    private static readonly VectorFile X = VectorFile.Load("rfc7748.txt");
    private static KeyCreationParameters Exportable => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Rfc8032_Section71_SignatureIsExact_AndVerifies(int test)
    {
        using var key = Key.Import(SignatureAlgorithm.Ed25519, Ed.Hex($"secret.{test}"), KeyBlobFormat.RawPrivateKey, Exportable);
        Assert.Equal(Ed.Hex($"public.{test}"), key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var message = Ed.Hex($"message.{test}");
        var signature = SignatureAlgorithm.Ed25519.Sign(key, message);
        Assert.Equal(Ed.Hex($"signature.{test}"), signature);
        Assert.True(SignatureAlgorithm.Ed25519.Verify(key.PublicKey, message, signature));
        signature[0] ^= 0x01;
        Assert.False(SignatureAlgorithm.Ed25519.Verify(key.PublicKey, message, signature));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Rfc7748_Section52_ScalarMultiplication(int test)
    {
        using var scalar = Key.Import(KeyAgreementAlgorithm.X25519, X.Hex($"scalar.{test}"), KeyBlobFormat.RawPrivateKey, Exportable);
        var u = PublicKey.Import(KeyAgreementAlgorithm.X25519, X.Hex($"u.{test}"), KeyBlobFormat.RawPublicKey);
        var parameters = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using var result = KeyAgreementAlgorithm.X25519.Agree(scalar, u, in parameters)!;
        Assert.Equal(X.Hex($"out.{test}"), result.Export(SharedSecretBlobFormat.RawSharedSecret));
    }

    [Fact]
    public void Rfc7748_Section61_AliceAndBobAgree()
    {
        using var alice = Key.Import(KeyAgreementAlgorithm.X25519, X.Hex("alice_private"), KeyBlobFormat.RawPrivateKey, Exportable);
        using var bob = Key.Import(KeyAgreementAlgorithm.X25519, X.Hex("bob_private"), KeyBlobFormat.RawPrivateKey, Exportable);
        Assert.Equal(X.Hex("alice_public"), alice.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        Assert.Equal(X.Hex("bob_public"), bob.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var parameters = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using var ab = KeyAgreementAlgorithm.X25519.Agree(alice, bob.PublicKey, in parameters)!;
        using var ba = KeyAgreementAlgorithm.X25519.Agree(bob, alice.PublicKey, in parameters)!;
        Assert.Equal(X.Hex("shared"), ab.Export(SharedSecretBlobFormat.RawSharedSecret));
        Assert.Equal(X.Hex("shared"), ba.Export(SharedSecretBlobFormat.RawSharedSecret));
    }

    [Fact]
    public void EnvelopeSignature_VerifiesWithBouncyCastle_OverTheDocumentedInput()
    {
        var vector = VectorFile.Load(Path.Combine("envelope", "01-valid.txt"));
        using var key = Key.Import(SignatureAlgorithm.Ed25519, vector.Hex("sender_signing_seed"), KeyBlobFormat.RawPrivateKey, Exportable);
        var input = SignatureInput.ForEnvelope(vector.Hex("header"), vector.Hex("enc"), vector.Hex("ciphertext"));
        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)));
        verifier.BlockUpdate(input, 0, input.Length);
        Assert.True(verifier.VerifySignature(vector.Hex("signature")));
    }
}
