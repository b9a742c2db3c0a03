using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ChainGateway.Core.SharingLog;
using NSec.Cryptography;

namespace ChainGateway.Core.Tests.SharingLog;

/// <summary>C2SP signed-note: the Go reference vector, key IDs, verifier keys, and every way a note must fail.</summary>
public sealed class SignedNoteTests
{
    private static readonly VectorFile Go = VectorFile.Load("signed-note-go.txt");
    private static KeyCreationParameters Exportable => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    private static string GoText => $"{Go.Text("text.1")}\n{Go.Text("text.2")}\n";

    private static string GoNote => $"{GoText}\n\u2014 {Go.Text("name")} {Go.Text("signature")}\n";

    private static Key GoKey()
    {
        // PRIVATE+KEY+<name>+<id>+base64(0x01 || seed); the base64 may itself hold '+'.
        var parts = Go.Text("skey").Split('+', 5);
        var encoded = Convert.FromBase64String(parts[4]);
        Assert.Equal(0x01, encoded[0]);
        return Key.Import(SignatureAlgorithm.Ed25519, encoded.AsSpan(1), KeyBlobFormat.RawPrivateKey, Exportable);
    }

    [Fact]
    public void GoReferenceKey_KeyIdAndVerifierKey_MatchPublished()
    {
        using var key = GoKey();
        Assert.Equal(uint.Parse(Go.Text("keyid"), NumberStyles.HexNumber, CultureInfo.InvariantCulture), SignedNote.KeyId(Go.Text("name"), key.PublicKey));
        Assert.Equal(Go.Text("vkey"), SignedNote.VerifierKey(Go.Text("name"), key.PublicKey));
        Assert.True(SignedNote.TryParseVerifierKey(Go.Text("vkey"), out var name, out var publicKey));
        Assert.Equal(Go.Text("name"), name);
        Assert.Equal(key.PublicKey.Export(KeyBlobFormat.RawPublicKey), publicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    [Fact]
    public void GoReferenceNote_IsReproducedByteForByte_AndVerifies()
    {
        using var key = GoKey();
        Assert.Equal(GoNote, SignedNote.Sign(GoText, Go.Text("name"), key));
        Assert.True(SignedNote.Verify(GoNote, Go.Text("name"), key.PublicKey));
        var parsed = SignedNote.Parse(GoNote);
        Assert.Equal(GoText, parsed.Body);
        Assert.Equal(0xc74f20a3u, Assert.Single(parsed.Signatures).KeyId);
    }

    [Fact]
    public void KeyId_IsFirstFourBytesOfSha256OverNameNewlineTypeAndKey()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        var hash = SHA256.HashData([.. Encoding.UTF8.GetBytes("chaingateway/org-b"), 0x0A, 0x01, .. publicKey]);
        var expected = ((uint)hash[0] << 24) | ((uint)hash[1] << 16) | ((uint)hash[2] << 8) | hash[3];
        Assert.Equal(expected, SignedNote.KeyId("chaingateway/org-b", key.PublicKey));
        Assert.NotEqual(expected, SignedNote.KeyId("chaingateway/org-c", key.PublicKey));
    }

    [Fact]
    public void TamperedText_FailsVerification()
    {
        using var key = GoKey();
        Assert.False(SignedNote.Verify(GoNote.Replace("cryptography", "cryptographY", StringComparison.Ordinal), Go.Text("name"), key.PublicKey));
        for (var i = 0; i < GoText.Length; i++)
        {
            var chars = GoNote.ToCharArray();
            chars[i] = chars[i] == 'x' ? 'y' : 'x';
            Assert.False(SignedNote.Verify(new string(chars), Go.Text("name"), key.PublicKey), $"text[{i}]");
        }
    }

    [Fact]
    public void FlippedSignatureByte_FailsVerification()
    {
        using var key = GoKey();
        var blob = Convert.FromBase64String(Go.Text("signature"));
        for (var i = 0; i < blob.Length; i++)
        {
            var bad = blob.ToArray();
            bad[i] ^= 0x01;
            var note = $"{GoText}\n\u2014 {Go.Text("name")} {Convert.ToBase64String(bad)}\n";
            Assert.False(SignedNote.Verify(note, Go.Text("name"), key.PublicKey), $"signature[{i}]");
        }
    }

    [Fact]
    public void OtherKeyNameOrKey_FailsVerification()
    {
        using var key = GoKey();
        using var other = Key.Create(SignatureAlgorithm.Ed25519);
        Assert.False(SignedNote.Verify(GoNote, "PaulNeumann", key.PublicKey));
        Assert.False(SignedNote.Verify(GoNote, Go.Text("name"), other.PublicKey));
        Assert.False(SignedNote.Verify(GoNote.Replace("\u2014 PeterNeumann", "\u2014 PaulNeumann", StringComparison.Ordinal), Go.Text("name"), key.PublicKey));
    }

    [Fact]
    public void UnknownSignatures_AreIgnored_ButABadOneFromTheKnownKeyRejectsTheNote()
    {
        using var key = GoKey();
        using var witness = Key.Create(SignatureAlgorithm.Ed25519);
        var cosigned = SignedNote.Sign(GoText, "witness.example/w1", witness);
        var both = GoNote + cosigned[(GoText.Length + 1)..];
        Assert.True(SignedNote.Verify(both, Go.Text("name"), key.PublicKey));
        Assert.True(SignedNote.Verify(both, "witness.example/w1", witness.PublicKey));
        Assert.Equal(2, SignedNote.Parse(both).Signatures.Count);

        var blob = Convert.FromBase64String(Go.Text("signature"));
        blob[^1] ^= 0x01;
        var withBadCopy = both + $"\u2014 {Go.Text("name")} {Convert.ToBase64String(blob)}\n";
        Assert.False(SignedNote.Verify(withBadCopy, Go.Text("name"), key.PublicKey));
    }

    [Theory]
    [InlineData("")]
    [InlineData("text\n")]
    [InlineData("text\n\n")]
    [InlineData("text\n\n\u2014 PeterNeumann x08g\n")]
    [InlineData("text\n\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")]
    [InlineData("text\n\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=")]
    [InlineData("text\n\n\u2014 Peter+Neumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")]
    [InlineData("te\txt\n\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")]
    [InlineData("text\n\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n\n")]
    public void MalformedNote_DoesNotParse_AndDoesNotVerify(string note)
    {
        using var key = GoKey();
        Assert.False(SignedNote.TryParse(note, out _));
        Assert.Throws<FormatException>(() => SignedNote.Parse(note));
        Assert.False(SignedNote.Verify(note, Go.Text("name"), key.PublicKey));
    }

    [Fact]
    public void TruncatedSignatureFromTheKnownKey_FailsWithoutThrowing()
    {
        using var key = GoKey();
        var note = $"{GoText}\n\u2014 {Go.Text("name")} {Go.Text("signature")[..8]}\n";
        Assert.Equal(0xc74f20a3u, Assert.Single(SignedNote.Parse(note).Signatures).KeyId);
        Assert.False(SignedNote.Verify(note, Go.Text("name"), key.PublicKey));
    }

    [Fact]
    public void NonCanonicalBase64Signature_DoesNotParse()
    {
        // Same blob, last base64 character's unused bits set: Convert would accept it; we do not.
        var sig = Go.Text("signature");
        var tweaked = sig[..^2] + (char)(sig[^2] + 1) + "=";
        Assert.Equal(Convert.FromBase64String(sig), Convert.FromBase64String(tweaked));
        Assert.False(SignedNote.TryParse($"{GoText}\n\u2014 {Go.Text("name")} {tweaked}\n", out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("has+plus")]
    public void InvalidKeyName_Throws(string keyName)
    {
        using var key = GoKey();
        Assert.Throws<ArgumentException>(() => SignedNote.Sign(GoText, keyName, key));
        Assert.Throws<ArgumentException>(() => SignedNote.Verify(GoNote, keyName, key.PublicKey));
        Assert.Throws<ArgumentException>(() => SignedNote.VerifierKey(keyName, key.PublicKey));
    }

    [Fact]
    public void MangledVerifierKey_DoesNotParse()
    {
        var vkey = Go.Text("vkey");
        Assert.False(SignedNote.TryParseVerifierKey(vkey.Replace("c74f20a3", "c74f20a4", StringComparison.Ordinal), out _, out _));
        Assert.False(SignedNote.TryParseVerifierKey(vkey.Replace("PeterNeumann", "PaulNeumann", StringComparison.Ordinal), out _, out _));
        Assert.False(SignedNote.TryParseVerifierKey(vkey.Replace("ARpc", "AhpcA", StringComparison.Ordinal), out _, out _));
        Assert.False(SignedNote.TryParseVerifierKey(vkey.Replace("c74f20a3", "C74F20A3", StringComparison.Ordinal), out _, out _));
        Assert.False(SignedNote.TryParseVerifierKey(vkey[..^1], out _, out _));
    }
}
