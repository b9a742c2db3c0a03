using System.Security.Cryptography;
using System.Text;

namespace ChainGateway.Core.Subjects;

/// <summary>
/// How the subject index keeps a subject without keeping its identifier in clear (DESIGN.md §6):
/// <code>
/// subject key = HMAC-SHA256(K_mac, canonical id)                       — the row's handle; no one without K_mac can test a BSN
/// sealed id   = nonce(12) || ChaCha20-Poly1305(K_seal, nonce, canonical id, aad = subject key)  (RFC 8439)
/// K_mac, K_seal = HKDF-SHA256(node index key, info = "chaingateway/v1/subject-index/mac" | "…/seal") (RFC 5869)
/// </code>
/// The sealed id exists only so the index can be rebuilt for a new pseudonym key (rotation) without asking the
/// organisation's systems to register everything again. The node index key lives in its own owner-only file.
/// </summary>
public sealed class SubjectSealer : IDisposable
{
    public const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] macKey;
    private readonly ChaCha20Poly1305 aead;

    public SubjectSealer(ReadOnlySpan<byte> indexKey)
    {
        if (indexKey.Length != KeySize)
        {
            throw new ArgumentException($"the subject index key is {KeySize} bytes", nameof(indexKey));
        }
        macKey = HKDF.Expand(HashAlgorithmName.SHA256, indexKey.ToArray(), KeySize, "chaingateway/v1/subject-index/mac"u8.ToArray());
        var sealKey = HKDF.Expand(HashAlgorithmName.SHA256, indexKey.ToArray(), KeySize, "chaingateway/v1/subject-index/seal"u8.ToArray());
        aead = new ChaCha20Poly1305(sealKey);
        CryptographicOperations.ZeroMemory(sealKey);
    }

    /// <summary>Reads the node's index key file, creating it (32 random bytes, owner-only) when absent.</summary>
    public static SubjectSealer OpenOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using var stream = new FileStream(path, options);
            stream.Write(RandomNumberGenerator.GetBytes(KeySize));
        }
        var key = File.ReadAllBytes(path);
        try
        {
            return key.Length == KeySize ? new SubjectSealer(key) : throw new InvalidDataException($"{path}: the subject index key must be {KeySize} bytes");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public byte[] KeyOf(SubjectId subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return HMACSHA256.HashData(macKey, Encoding.UTF8.GetBytes(subject.ToCanonicalString()));
    }

    public byte[] Seal(SubjectId subject, byte[] subjectKey)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var plaintext = Encoding.UTF8.GetBytes(subject.ToCanonicalString());
        var result = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = result.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        aead.Encrypt(nonce, plaintext, result.AsSpan(NonceSize, plaintext.Length), result.AsSpan(NonceSize + plaintext.Length), subjectKey);
        CryptographicOperations.ZeroMemory(plaintext);
        return result;
    }

    /// <summary>The subject, or null when the sealed id does not authenticate (wrong key, tampered row).</summary>
    public SubjectId? Open(ReadOnlySpan<byte> sealedId, ReadOnlySpan<byte> subjectKey)
    {
        if (sealedId.Length <= NonceSize + TagSize)
        {
            return null;
        }
        var length = sealedId.Length - NonceSize - TagSize;
        var plaintext = new byte[length];
        try
        {
            aead.Decrypt(sealedId[..NonceSize], sealedId.Slice(NonceSize, length), sealedId[(NonceSize + length)..], plaintext, subjectKey);
            return SubjectId.FromCanonical(Encoding.UTF8.GetString(plaintext));
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(macKey);
        aead.Dispose();
    }
}
