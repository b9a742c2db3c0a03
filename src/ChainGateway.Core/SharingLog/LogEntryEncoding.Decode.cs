// The inverse of LogEntryEncoding v1 (layout in LogEntryEncoding.cs): reads a partner's entry back from the
// bytes its entry bundle served (C2SP tlog-tiles), strictly — trailing bytes, unknown events, bad presence bytes,
// invalid UTF-8 or non-canonical spellings (re-encoding differs) are refused, so decoded fields are exactly what
// the leaf hash commits to.
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace ChainGateway.Core.SharingLog;

public static partial class LogEntryEncoding
{
    private static readonly UTF8Encoding StrictUtf8Decoder = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes version-1 entry bytes; false if they are not exactly a canonical encoding. Index and LeafHash stay unset.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out LogEntry? entry)
    {
        entry = null;
        var reader = new Reader(bytes);
        try
        {
            if (reader.Byte() != Version)
            {
                return false;
            }
            var time = DateTimeOffset.FromUnixTimeMilliseconds(reader.Int64());
            if (!Enum.TryParse<LogEvent>(reader.String(), ignoreCase: false, out var logEvent) || !Enum.IsDefined(logEvent))
            {
                return false;
            }
            var decoded = new LogEntry
            {
                Time = time,
                Event = logEvent,
                Partner = reader.String(),
                User = reader.String(),
                Purpose = reader.String(),
                ProcessingActivity = reader.String(),
                RuleId = reader.String(),
                SignalType = reader.String(),
                SubjectPseudonym = reader.String(),
                MessageId = reader.Guid(),
                EnvelopeHash = reader.Bytes(),
                Outcome = reader.String() ?? throw new FormatException("outcome is required"),
                ReasonCode = reader.String(),
                Detail = reader.String(),
                TraceId = reader.String(),
                SpanId = reader.String(),
                ForeignTraceId = reader.String(),
                ForeignSpanId = reader.String(),
            };
            // Canonical: the entry re-encodes to the very same bytes (e.g. the event name "Sent", never "0").
            if (!reader.AtEnd || !Encode(decoded).AsSpan().SequenceEqual(bytes))
            {
                return false;
            }
            entry = decoded;
            return true;
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException or ArgumentException)
        {
            return false;
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private ReadOnlySpan<byte> rest = bytes;

        public readonly bool AtEnd => rest.IsEmpty;

        public byte Byte() => Take(1)[0];

        public long Int64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

        public byte[]? Bytes()
        {
            var presence = Byte();
            if (presence == 0x00)
            {
                return null;
            }
            if (presence != 0x01)
            {
                throw new FormatException("bad presence byte");
            }
            var length = BinaryPrimitives.ReadUInt32BigEndian(Take(4));
            return length > (uint)rest.Length ? throw new FormatException("truncated") : Take((int)length).ToArray();
        }

        public string? String() => Bytes() is { } utf8 ? StrictUtf8Decoder.GetString(utf8) : null;

        public Guid? Guid()
        {
            var presence = Byte();
            return presence switch
            {
                0x00 => null,
                0x01 => new System.Guid(Take(16), bigEndian: true),
                _ => throw new FormatException("bad presence byte"),
            };
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > rest.Length)
            {
                throw new FormatException("truncated");
            }
            var taken = rest[..count];
            rest = rest[count..];
            return taken;
        }
    }
}
