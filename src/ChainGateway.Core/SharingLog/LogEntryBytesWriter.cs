// The LogEntryEncoding v1 layout (LogEntryEncoding.cs header), written field by field from raw stored values, for
// `log verify` over millions of rows: no LogEntry, no strings, one reused buffer. The buffer opens with the RFC 9162
// §2.1.1 leaf prefix 0x00, so the leaf hash is one SHA-256 over it. The order and kinds of the fields after Time are
// LogEntryEncoding.FieldLayout; a golden test holds this writer to LogEntryEncoding.Encode byte for byte.
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace ChainGateway.Core.SharingLog;

/// <summary>What a stored field is, in the v1 layout.</summary>
public enum LogFieldKind
{
    /// <summary>str: strict UTF-8.</summary>
    Text,

    /// <summary>str holding the name of a defined LogEvent member.</summary>
    EventName,

    /// <summary>guid: 16 bytes, RFC 9562 order.</summary>
    Uuid,

    /// <summary>bin: any bytes.</summary>
    Binary,
}

/// <summary>Builds one entry's canonical bytes (and its leaf hash) from raw field values; reused across entries.</summary>
public sealed class LogEntryBytesWriter
{
    private static readonly byte[][] EventNames = [.. Enum.GetNames<LogEvent>().Select(Encoding.UTF8.GetBytes)];
    private byte[] buffer = new byte[1024];
    private int length;

    /// <summary>The entry bytes written so far (without the leaf prefix).</summary>
    public ReadOnlySpan<byte> EntryBytes => buffer.AsSpan(1, length - 1);

    /// <summary>Starts an entry: leaf prefix, version, time (signed Unix milliseconds).</summary>
    public void Begin(long unixMilliseconds)
    {
        length = 0;
        Put([0x00, LogEntryEncoding.Version]);
        BinaryPrimitives.WriteInt64BigEndian(Reserve(8), unixMilliseconds);
    }

    /// <summary>Writes the next field; false (and nothing sensible written) if the value is not valid for its kind.</summary>
    public bool Field(LogFieldKind kind, bool present, ReadOnlySpan<byte> value)
    {
        if (!present)
        {
            Put([0x00]);
            return true;
        }
        switch (kind)
        {
            case LogFieldKind.Text when !Utf8.IsValid(value):
            case LogFieldKind.EventName when !IsEventName(value):
                return false;
            case LogFieldKind.Uuid:
                if (value.Length != 16)
                {
                    return false;
                }
                Put([0x01]);
                Put(value);
                return true;
            default:
                Put([0x01]);
                BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), (uint)value.Length);
                Put(value);
                return true;
        }
    }

    /// <summary>Whether the entry written records <paramref name="logEvent"/> (its Event field, right after the time).</summary>
    public bool IsEvent(LogEvent logEvent)
    {
        // prefix(1) version(1) time(8) presence(1) length(4), then the name.
        const int NameAt = 15;
        var name = EventNames[(int)logEvent];
        return length >= NameAt + name.Length && BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(NameAt - 4)) == name.Length
            && buffer.AsSpan(NameAt, name.Length).SequenceEqual(name);
    }

    /// <summary>RFC 9162 §2.1.1: SHA-256(0x00 || entry bytes) into <paramref name="destination"/> (32 bytes).</summary>
    public void LeafHash(Span<byte> destination) => SHA256.HashData(buffer.AsSpan(0, length), destination);

    private static bool IsEventName(ReadOnlySpan<byte> value)
    {
        foreach (var name in EventNames)
        {
            if (value.SequenceEqual(name))
            {
                return true;
            }
        }
        return false;
    }

    private void Put(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    private Span<byte> Reserve(int count)
    {
        if (length + count > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + count));
        }
        var span = buffer.AsSpan(length, count);
        length += count;
        return span;
    }
}
