// The canonical byte encoding of a sharing-log entry: the "entry bytes" that become a Merkle leaf
// (DESIGN.md §7; RFC 9162 §2.1.1: leaf hash = SHA-256(0x00 || entry bytes)).
//
// Layout, version 1 (all integers big-endian, no tags, no padding):
//
//   u8   version = 0x01
//   be64 Time as signed Unix milliseconds (UTC instant; the offset and sub-millisecond ticks are not recorded)
//   str  Event             the LogEvent member's name, e.g. "Sent" (never a number)
//   str  Partner
//   str  User
//   str  Purpose
//   str  ProcessingActivity
//   str  RuleId
//   str  SignalType
//   str  SubjectPseudonym
//   guid MessageId
//   bin  EnvelopeHash
//   str  Outcome
//   str  ReasonCode
//   str  Detail
//   str  TraceId
//   str  SpanId
//   str  ForeignTraceId
//   str  ForeignSpanId
//
//   str  = u8 presence (0x00 null | 0x01 present), and if present: be32 byte length || strict UTF-8 bytes
//   bin  = u8 presence, and if present: be32 length || bytes
//   guid = u8 presence, and if present: 16 bytes in RFC 9562 §4 (big-endian) order
//
// Invariants: every field except Index is covered (Index is the leaf's position, already bound by the tree);
// the encoding is injective because every variable-length field is length-prefixed and null is distinct from
// empty; strings with lone surrogates throw instead of being silently replaced (which would let two different
// entries encode alike). A new field or order means a new version byte, never a change to version 1.
using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ChainGateway.Core.SharingLog;

/// <summary>The canonical, deterministic byte encoding of a <see cref="LogEntry"/> (version 1, see the file header).</summary>
public static partial class LogEntryEncoding
{
    /// <summary>The version byte that opens every encoding produced here.</summary>
    public const byte Version = 0x01;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly LogFieldKind[] Layout =
    [
        LogFieldKind.EventName, LogFieldKind.Text, LogFieldKind.Text, LogFieldKind.Text, LogFieldKind.Text, LogFieldKind.Text,
        LogFieldKind.Text, LogFieldKind.Text, LogFieldKind.Uuid, LogFieldKind.Binary, LogFieldKind.Text, LogFieldKind.Text,
        LogFieldKind.Text, LogFieldKind.Text, LogFieldKind.Text, LogFieldKind.Text, LogFieldKind.Text,
    ];

    /// <summary>The kinds of the fields after Time, in encoding order: Event … ForeignSpanId (see the file header).</summary>
    public static ReadOnlySpan<LogFieldKind> FieldLayout => Layout;

    /// <summary>Encodes every field of <paramref name="entry"/> except <see cref="LogEntry.Index"/>.</summary>
    /// <exception cref="ArgumentException">The event is not a defined member, or a string is not valid UTF-16.</exception>
    public static byte[] Encode(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!Enum.IsDefined(entry.Event))
        {
            throw new ArgumentException($"Undefined log event {(int)entry.Event}.", nameof(entry));
        }

        var writer = new ArrayBufferWriter<byte>(256);
        WriteByte(writer, Version);
        BinaryPrimitives.WriteInt64BigEndian(writer.GetSpan(8), entry.Time.ToUnixTimeMilliseconds());
        writer.Advance(8);
        WriteString(writer, entry.Event.ToString());
        WriteString(writer, entry.Partner);
        WriteString(writer, entry.User);
        WriteString(writer, entry.Purpose);
        WriteString(writer, entry.ProcessingActivity);
        WriteString(writer, entry.RuleId);
        WriteString(writer, entry.SignalType);
        WriteString(writer, entry.SubjectPseudonym);
        WriteGuid(writer, entry.MessageId);
        WriteBytes(writer, entry.EnvelopeHash);
        WriteString(writer, entry.Outcome);
        WriteString(writer, entry.ReasonCode);
        WriteString(writer, entry.Detail);
        WriteString(writer, entry.TraceId);
        WriteString(writer, entry.SpanId);
        WriteString(writer, entry.ForeignTraceId);
        WriteString(writer, entry.ForeignSpanId);
        return writer.WrittenSpan.ToArray();
    }

    private static void WriteByte(ArrayBufferWriter<byte> writer, byte value)
    {
        writer.GetSpan(1)[0] = value;
        writer.Advance(1);
    }

    private static void WriteString(ArrayBufferWriter<byte> writer, string? value)
    {
        if (value is null)
        {
            WriteByte(writer, 0x00);
            return;
        }
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(value);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException("A log entry string is not valid UTF-16 (lone surrogate).", nameof(value), e);
        }
        WriteBytes(writer, bytes);
    }

    private static void WriteBytes(ArrayBufferWriter<byte> writer, byte[]? value)
    {
        if (value is null)
        {
            WriteByte(writer, 0x00);
            return;
        }
        WriteByte(writer, 0x01);
        BinaryPrimitives.WriteUInt32BigEndian(writer.GetSpan(4), checked((uint)value.Length));
        writer.Advance(4);
        writer.Write(value);
    }

    private static void WriteGuid(ArrayBufferWriter<byte> writer, Guid? value)
    {
        if (value is not { } guid)
        {
            WriteByte(writer, 0x00);
            return;
        }
        WriteByte(writer, 0x01);
        // RFC 9562 §4: the 16 octets in network order, i.e. the order of the canonical text form.
        if (!guid.TryWriteBytes(writer.GetSpan(16), bigEndian: true, out var written) || written != 16)
        {
            throw new InvalidOperationException("Guid did not encode to 16 bytes.");
        }
        writer.Advance(16);
    }
}
