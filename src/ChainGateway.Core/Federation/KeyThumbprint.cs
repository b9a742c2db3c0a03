using System.Buffers.Text;
using System.Security.Cryptography;

namespace ChainGateway.Core.Federation;

/// <summary>
/// Keys are referenced by thumbprint, never by certificate (DESIGN.md §3): base64url (no padding) of the
/// SHA-256 of the raw public key, so a certificate renewal changes nothing else.
/// </summary>
public static class KeyThumbprint
{
    public static string Of(ReadOnlySpan<byte> rawPublicKey)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(rawPublicKey, hash);
        return Base64Url.EncodeToString(hash);
    }

    public static string Of(NSec.Cryptography.PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Of(key.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey));
    }
}
