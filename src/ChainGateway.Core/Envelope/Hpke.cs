using System.Buffers.Binary;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace ChainGateway.Core.Envelope;

/// <summary>
/// HPKE (RFC 9180), base mode, single-shot, for exactly one suite:
/// DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / ChaCha20-Poly1305 (kem 0x0020, kdf 0x0001, aead 0x0003), built on
/// libsodium's X25519 and HKDF-SHA256 (<see cref="X25519Raw"/>, <see cref="HkdfSha256Raw"/>: the library NSec wraps).
/// The AEAD is .NET's ChaCha20Poly1305 (OpenSSL): its key is used once per message, and importing a one-time key
/// into an NSec Key object (guarded secure memory) costs more than the whole encryption. For the same reason the
/// ephemeral key pair and the DH output are not NSec objects either: they are stack buffers.
/// <list type="bullet">
/// <item>§4.1 DHKEM: enc = pkE (32 bytes); shared_secret = ExtractAndExpand(DH(skE, pkR), enc || pkRm), Nsecret = 32.</item>
/// <item>§5.1 KeySchedule (mode_base, empty psk and psk_id): key (Nk = 32), base_nonce (Nn = 12), exporter_secret (Nh = 32).</item>
/// <item>§5.2 single-shot: one Seal/Open with sequence number 0, so the nonce is base_nonce itself. A context is
/// never reused: every envelope has a fresh ephemeral key.</item>
/// <item>§4 LabeledExtract/LabeledExpand with "HPKE-v1" and the KEM or HPKE suite id.</item>
/// </list>
/// Misuse (wrong buffer sizes, wrong key algorithm) throws; a failed authentication returns false and leaves
/// the plaintext buffer zeroed. Secrets (ephemeral scalar, DH output, PRKs, key, nonce) live in stack buffers that
/// are cleared before return.
/// </summary>
public static partial class Hpke
{
    public const int EncapsulatedKeySize = 32;
    public const int TagSize = 16;
    private const int SecretSize = 32;
    private const int KeySize = 32;
    private const int NonceSize = 12;

    // §4.1: suite_id = "KEM" || I2OSP(kem_id, 2)
    private static ReadOnlySpan<byte> KemSuiteId => [(byte)'K', (byte)'E', (byte)'M', 0x00, 0x20];

    // §5.1: suite_id = "HPKE" || I2OSP(kem_id, 2) || I2OSP(kdf_id, 2) || I2OSP(aead_id, 2)
    private static ReadOnlySpan<byte> HpkeSuiteId => [(byte)'H', (byte)'P', (byte)'K', (byte)'E', 0x00, 0x20, 0x00, 0x01, 0x00, 0x03];

    private static ReadOnlySpan<byte> Version => "HPKE-v1"u8;

    private static readonly KeyAgreementAlgorithm Dh = KeyAgreementAlgorithm.X25519;

    /// <summary>Seals <paramref name="plaintext"/> to the recipient's X25519 public key.</summary>
    public static void Seal(PublicKey recipientKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext,
        Span<byte> enc, Span<byte> ciphertext)
    {
        CheckSeal(recipientKey, plaintext, enc, ciphertext);
        // §4.1 GenerateKeyPair: a fresh random X25519 scalar, as NSec's Key.Create draws it, but on the stack.
        Span<byte> skE = stackalloc byte[X25519Raw.Size];
        try
        {
            RandomNumberGenerator.Fill(skE);
            SealCore(skE, recipientKey, info, aad, plaintext, enc, ciphertext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(skE);
        }
    }

    /// <summary>Opens a sealed message; false when authentication fails (then <paramref name="plaintext"/> is all zeros).</summary>
    public static bool Open(Key recipientPrivateKey, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad,
        ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        ArgumentNullException.ThrowIfNull(recipientPrivateKey);
        if (recipientPrivateKey.Algorithm != Dh)
        {
            throw new ArgumentException("the recipient key must be an X25519 key", nameof(recipientPrivateKey));
        }
        if (enc.Length != EncapsulatedKeySize)
        {
            throw new ArgumentException($"enc must be {EncapsulatedKeySize} bytes", nameof(enc));
        }
        if (ciphertext.Length < TagSize || plaintext.Length != ciphertext.Length - TagSize)
        {
            throw new ArgumentException("plaintext must be exactly ciphertext.Length - 16 bytes", nameof(plaintext));
        }
        Span<byte> dh = stackalloc byte[SecretSize];
        Span<byte> pkR = stackalloc byte[EncapsulatedKeySize];
        Span<byte> key = stackalloc byte[KeySize];
        Span<byte> nonce = stackalloc byte[NonceSize];
        try
        {
            // §4.1 Decap: dh = DH(skR, pkE); kem_context = enc || pkRm.
            if (!Agree(recipientPrivateKey, enc, dh))
            {
                plaintext.Clear();
                return false;
            }
            recipientPrivateKey.PublicKey.TryExport(KeyBlobFormat.RawPublicKey, pkR, out _);
            Derive(dh, enc, pkR, info, key, nonce, []);
            using var aead = new System.Security.Cryptography.ChaCha20Poly1305(key);
            try
            {
                aead.Decrypt(nonce, ciphertext[..^TagSize], ciphertext[^TagSize..], plaintext, aad);
                return true;
            }
            catch (AuthenticationTagMismatchException)
            {
                plaintext.Clear();
                return false;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(nonce);
        }
    }

    /// <summary>Seal with a given (exportable) ephemeral key: for the RFC 9180 test vectors only.</summary>
    internal static void SealWithEphemeral(Key ephemeral, PublicKey recipientKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad,
        ReadOnlySpan<byte> plaintext, Span<byte> enc, Span<byte> ciphertext)
    {
        ArgumentNullException.ThrowIfNull(ephemeral);
        if (ephemeral.Algorithm != Dh)
        {
            throw new ArgumentException("HPKE here needs X25519 keys", nameof(ephemeral));
        }
        CheckSeal(recipientKey, plaintext, enc, ciphertext);
        Span<byte> skE = stackalloc byte[X25519Raw.Size];
        try
        {
            ephemeral.TryExport(KeyBlobFormat.RawPrivateKey, skE, out _);
            SealCore(skE, recipientKey, info, aad, plaintext, enc, ciphertext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(skE);
        }
    }

    /// <summary>The key schedule's outputs for one context, exposed for the RFC 9180 vectors.</summary>
    internal static (byte[] SharedSecret, byte[] Key, byte[] BaseNonce, byte[] ExporterSecret) Schedule(Key own, PublicKey other,
        ReadOnlySpan<byte> enc, PublicKey recipient, ReadOnlySpan<byte> info)
    {
        Span<byte> otherRaw = stackalloc byte[EncapsulatedKeySize];
        Span<byte> recipientRaw = stackalloc byte[EncapsulatedKeySize];
        Span<byte> dh = stackalloc byte[SecretSize];
        other.TryExport(KeyBlobFormat.RawPublicKey, otherRaw, out _);
        recipient.TryExport(KeyBlobFormat.RawPublicKey, recipientRaw, out _);
        var sharedSecret = new byte[SecretSize];
        try
        {
            if (!Agree(own, otherRaw, dh))
            {
                throw new CryptographicException("all-zero X25519 output");
            }
            ExtractAndExpand(dh, enc, recipientRaw, sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
        var key = new byte[KeySize];
        var nonce = new byte[NonceSize];
        var exporter = new byte[SecretSize];
        KeySchedule(sharedSecret, info, key, nonce, exporter);
        return (sharedSecret, key, nonce, exporter);
    }

    private static void CheckSeal(PublicKey recipientKey, ReadOnlySpan<byte> plaintext, Span<byte> enc, Span<byte> ciphertext)
    {
        ArgumentNullException.ThrowIfNull(recipientKey);
        if (recipientKey.Algorithm != Dh)
        {
            throw new ArgumentException("HPKE here needs X25519 keys", nameof(recipientKey));
        }
        if (enc.Length != EncapsulatedKeySize)
        {
            throw new ArgumentException($"enc must be {EncapsulatedKeySize} bytes", nameof(enc));
        }
        if (ciphertext.Length != plaintext.Length + TagSize)
        {
            throw new ArgumentException("ciphertext must be exactly plaintext.Length + 16 bytes", nameof(ciphertext));
        }
    }

    private static void SealCore(ReadOnlySpan<byte> skE, PublicKey recipientKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad,
        ReadOnlySpan<byte> plaintext, Span<byte> enc, Span<byte> ciphertext)
    {
        // §4.1 Encap: enc = SerializePublicKey(pkE); dh = DH(skE, pkR); kem_context = enc || pkRm.
        X25519Raw.PublicKeyOf(skE, enc);
        Span<byte> pkR = stackalloc byte[EncapsulatedKeySize];
        Span<byte> dh = stackalloc byte[SecretSize];
        Span<byte> key = stackalloc byte[KeySize];
        Span<byte> nonce = stackalloc byte[NonceSize];
        try
        {
            recipientKey.TryExport(KeyBlobFormat.RawPublicKey, pkR, out _);
            if (!X25519Raw.Agree(skE, pkR, dh))
            {
                throw new CryptographicException("X25519 produced an all-zero shared secret: the recipient key is of small order");
            }
            Derive(dh, enc, pkR, info, key, nonce, []);
            using var aead = new System.Security.Cryptography.ChaCha20Poly1305(key);
            aead.Encrypt(nonce, plaintext, ciphertext[..plaintext.Length], ciphertext[plaintext.Length..], aad);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(nonce);
        }
    }

    /// <summary>
    /// dh = X25519(own, other); false for a point libsodium refuses. A key NSec lets us export goes through
    /// <see cref="X25519Raw"/>: its scalar is copied to the stack for the one multiplication and zeroed at once
    /// (the DH output, which opens this message just as well, sits on the stack in either path). A key that may not
    /// leave NSec's secure memory uses NSec's Agree, which costs one more sodium_malloc'd SharedSecret.
    /// </summary>
    private static bool Agree(Key own, ReadOnlySpan<byte> other, Span<byte> dh)
    {
        if ((own.ExportPolicy & KeyExportPolicies.AllowPlaintextExport) != 0)
        {
            Span<byte> scalar = stackalloc byte[X25519Raw.Size];
            try
            {
                if (!own.TryExport(KeyBlobFormat.RawPrivateKey, scalar, out var written) || written != X25519Raw.Size)
                {
                    throw new CryptographicException("the X25519 private key did not export");
                }
                return X25519Raw.Agree(scalar, other, dh);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(scalar);
            }
        }
        if (!PublicKey.TryImport(Dh, other, KeyBlobFormat.RawPublicKey, out var otherKey) || otherKey is null)
        {
            return false;
        }
        var parameters = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using var agreed = Dh.Agree(own, otherKey, in parameters);
        if (agreed is null || !agreed.TryExport(SharedSecretBlobFormat.RawSharedSecret, dh, out var size) || size != SecretSize)
        {
            dh.Clear();
            return false;
        }
        return true;
    }
}
