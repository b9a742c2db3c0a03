namespace ChainGateway.Core.Envelope;

// Placeholder: replaced by the RFC 9180 implementation on branch 'crypto'.
public static class Hpke
{
    public const int EncapsulatedKeySize = 32;
    public const int TagSize = 16;

    public static void Seal(NSec.Cryptography.PublicKey recipientKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> enc, Span<byte> ciphertext) =>
        throw new NotImplementedException();

    public static bool Open(NSec.Cryptography.Key recipientPrivateKey, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext) =>
        throw new NotImplementedException();
}
