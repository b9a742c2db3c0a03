namespace ChainGateway.Core.Envelope;

/// <summary>
/// Message ids are UUIDv7 (RFC 9562 §5.7): 16 bytes big-endian on the wire, time-ordered so the outbox and
/// inbox stay index-friendly. Text form is the canonical lower-case hyphenated UUID.
/// </summary>
public static class MessageId
{
    public const int Size = 16;

    public static Guid New(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return Guid.CreateVersion7(time.GetUtcNow());
    }

    public static byte[] ToBytes(Guid id) => id.ToByteArray(bigEndian: true);

    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, out Guid id)
    {
        if (bytes.Length != Size)
        {
            id = Guid.Empty;
            return false;
        }
        id = new Guid(bytes, bigEndian: true);
        return id.Version == 7;
    }
}
