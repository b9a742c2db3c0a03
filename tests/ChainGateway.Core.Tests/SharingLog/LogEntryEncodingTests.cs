using System.Text;
using ChainGateway.Core.SharingLog;

namespace ChainGateway.Core.Tests.SharingLog;

/// <summary>The canonical entry bytes (version 1): a golden encoding, and every field changes the bytes.</summary>
public sealed class LogEntryEncodingTests
{
    private static LogEntry Full => new()
    {
        Index = 7,
        Time = new DateTimeOffset(2026, 11, 23, 9, 30, 0, 123, TimeSpan.Zero),
        Event = LogEvent.Sent,
        Partner = "org-b",
        User = "u1",
        Purpose = "p",
        ProcessingActivity = "pa",
        RuleId = "r1",
        SignalType = "st",
        SubjectPseudonym = "ab",
        MessageId = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"),
        EnvelopeHash = [0xde, 0xad],
        Outcome = "ok",
        ReasonCode = null,
        Detail = "",
        TraceId = "t",
        SpanId = "s",
        ForeignTraceId = "ft",
        ForeignSpanId = "fs",
    };

    [Fact]
    public void FixedEntry_EncodesToTheGoldenBytes()
    {
        // Written out field by field from the layout in LogEntryEncoding.cs's header.
        var expected = new StringBuilder()
            .Append("01")
            .Append("000001A207BDAA3B")                               // 2026-11-23T09:30:00.123Z in Unix ms
            .Append("01").Append("00000004").Append("53656E74")      // Event "Sent"
            .Append("01").Append("00000005").Append("6F72672D62")    // Partner "org-b"
            .Append("01").Append("00000002").Append("7531")          // User
            .Append("01").Append("00000001").Append("70")            // Purpose
            .Append("01").Append("00000002").Append("7061")          // ProcessingActivity
            .Append("01").Append("00000002").Append("7231")          // RuleId
            .Append("01").Append("00000002").Append("7374")          // SignalType
            .Append("01").Append("00000002").Append("6162")          // SubjectPseudonym
            .Append("01").Append("00112233445566778899AABBCCDDEEFF") // MessageId, RFC 9562 order
            .Append("01").Append("00000002").Append("DEAD")          // EnvelopeHash
            .Append("01").Append("00000002").Append("6F6B")          // Outcome "ok"
            .Append("00")                                            // ReasonCode null
            .Append("01").Append("00000000")                         // Detail "" (present, empty)
            .Append("01").Append("00000001").Append("74")            // TraceId
            .Append("01").Append("00000001").Append("73")            // SpanId
            .Append("01").Append("00000002").Append("6674")          // ForeignTraceId
            .Append("01").Append("00000002").Append("6673")          // ForeignSpanId
            .ToString();
        Assert.Equal(expected, Convert.ToHexString(LogEntryEncoding.Encode(Full)));
        Assert.Equal(1_795_426_200_123, Full.Time.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void Index_IsNotEncoded_AndEncodingIsStable()
    {
        var bytes = LogEntryEncoding.Encode(Full);
        Assert.Equal(bytes, LogEntryEncoding.Encode(Full with { Index = 99 }));
        Assert.Equal(bytes, LogEntryEncoding.Encode(Full with { Time = Full.Time.ToOffset(TimeSpan.FromHours(2)) }));
    }

    public static TheoryData<string> Changes() =>
    [
        "Time", "Event", "Partner", "User", "Purpose", "ProcessingActivity", "RuleId", "SignalType", "SubjectPseudonym",
        "MessageId", "EnvelopeHash", "Outcome", "ReasonCode", "Detail", "TraceId", "SpanId", "ForeignTraceId", "ForeignSpanId",
        "PartnerNull", "DetailNull", "MessageIdNull", "EnvelopeHashNull", "EnvelopeHashEmpty", "MovedBetweenFields",
    ];

    [Theory]
    [MemberData(nameof(Changes))]
    public void ChangingAnySingleField_ChangesTheBytes(string change)
    {
        var entry = Full;
        var changed = change switch
        {
            "Time" => entry with { Time = entry.Time.AddMilliseconds(1) },
            "Event" => entry with { Event = LogEvent.Delivered },
            "Partner" => entry with { Partner = "org-c" },
            "User" => entry with { User = "u2" },
            "Purpose" => entry with { Purpose = "q" },
            "ProcessingActivity" => entry with { ProcessingActivity = "pb" },
            "RuleId" => entry with { RuleId = "r2" },
            "SignalType" => entry with { SignalType = "su" },
            "SubjectPseudonym" => entry with { SubjectPseudonym = "ac" },
            "MessageId" => entry with { MessageId = Guid.Parse("00112233-4455-6677-8899-aabbccddeef0") },
            "EnvelopeHash" => entry with { EnvelopeHash = [0xde, 0xae] },
            "Outcome" => entry with { Outcome = "rejected" },
            "ReasonCode" => entry with { ReasonCode = "BAD_SIGNATURE" },
            "Detail" => entry with { Detail = "x" },
            "TraceId" => entry with { TraceId = "u" },
            "SpanId" => entry with { SpanId = "t" },
            "ForeignTraceId" => entry with { ForeignTraceId = "fu" },
            "ForeignSpanId" => entry with { ForeignSpanId = "ft" },
            "PartnerNull" => entry with { Partner = null },
            "DetailNull" => entry with { Detail = null },
            "MessageIdNull" => entry with { MessageId = null },
            "EnvelopeHashNull" => entry with { EnvelopeHash = null },
            "EnvelopeHashEmpty" => entry with { EnvelopeHash = [] },
            // The same characters shifted from one field to the next must not encode alike.
            "MovedBetweenFields" => entry with { Purpose = "pp", ProcessingActivity = "a" },
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
        Assert.NotEqual(LogEntryEncoding.Encode(entry), LogEntryEncoding.Encode(changed));
    }

    [Fact]
    public void LoneSurrogateOrUndefinedEvent_Throws()
    {
        Assert.Throws<ArgumentException>(() => LogEntryEncoding.Encode(Full with { Detail = "\uD800" }));
        Assert.Throws<ArgumentException>(() => LogEntryEncoding.Encode(Full with { Event = (LogEvent)42 }));
    }
}
