using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ChainGateway.Core.Envelope;

/// <summary>
/// The exact byte strings that Ed25519 signs (DESIGN.md §4):
/// envelope: "chaingateway/v1/envelope-signature" || 0x00 || be32(len(header)) || header || be32(len(enc)) || enc
///           || be32(len(ciphertext)) || ciphertext;
/// receipt:  "chaingateway/v1/receipt" || 0x00 || body.
/// Length prefixes make the encoding injective; the context strings separate the two signature domains.
/// </summary>
public static class SignatureInput
{
    private static readonly byte[] EnvelopeContext = Encoding.ASCII.GetBytes("chaingateway/v1/envelope-signature\0");
    private static readonly byte[] ReceiptContext = Encoding.ASCII.GetBytes("chaingateway/v1/receipt\0");

    /// <summary>The HPKE info string of every envelope (DESIGN.md §4).</summary>
    public static ReadOnlySpan<byte> HpkeInfo => "chaingateway/v1/envelope"u8;

    public static byte[] ForEnvelope(ReadOnlySpan<byte> header, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> ciphertext)
    {
        var buffer = new byte[EnvelopeContext.Length + 12 + header.Length + enc.Length + ciphertext.Length];
        var span = buffer.AsSpan();
        EnvelopeContext.CopyTo(span);
        var offset = EnvelopeContext.Length;
        offset = AppendPrefixed(span, offset, header);
        offset = AppendPrefixed(span, offset, enc);
        AppendPrefixed(span, offset, ciphertext);
        return buffer;
    }

    public static byte[] ForReceipt(ReadOnlySpan<byte> body)
    {
        var buffer = new byte[ReceiptContext.Length + body.Length];
        ReceiptContext.CopyTo(buffer, 0);
        body.CopyTo(buffer.AsSpan(ReceiptContext.Length));
        return buffer;
    }

    /// <summary>The envelope hash of receipts and log entries: SHA-256 of the envelope signature input.</summary>
    public static byte[] EnvelopeHash(ReadOnlySpan<byte> header, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> ciphertext) =>
        SHA256.HashData(ForEnvelope(header, enc, ciphertext));

    private static int AppendPrefixed(Span<byte> buffer, int offset, ReadOnlySpan<byte> part)
    {
        BinaryPrimitives.WriteUInt32BigEndian(buffer[offset..], (uint)part.Length);
        part.CopyTo(buffer[(offset + 4)..]);
        return offset + 4 + part.Length;
    }
}
