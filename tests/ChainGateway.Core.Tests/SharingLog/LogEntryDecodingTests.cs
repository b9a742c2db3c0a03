using ChainGateway.Core.SharingLog;

namespace ChainGateway.Core.Tests.SharingLog;

/// <summary>LogEntryEncoding.TryDecode: the exact inverse of the v1 encoding, refusing anything but canonical bytes.</summary>
public sealed class LogEntryDecodingTests
{
    private static readonly LogEntry Entry = new()
    {
        Time = new DateTimeOffset(2026, 11, 23, 9, 30, 0, 123, TimeSpan.Zero),
        Event = LogEvent.Received,
        Partner = "politie",
        Purpose = "risk-assessment",
        MessageId = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"),
        EnvelopeHash = [1, 2, 3],
        Outcome = "ok",
        Detail = "",
    };

    [Fact]
    public void EncodedEntry_DecodesToTheSameFields()
    {
        var bytes = LogEntryEncoding.Encode(Entry);
        Assert.True(LogEntryEncoding.TryDecode(bytes, out var decoded));
        Assert.Equal(bytes, LogEntryEncoding.Encode(decoded));
        Assert.Equal((Entry.Partner, Entry.MessageId, Entry.Detail, Entry.User), (decoded.Partner, decoded.MessageId, decoded.Detail, decoded.User));
    }

    [Fact]
    public void TruncatedOrExtendedOrUnknownEvent_IsRefused()
    {
        var bytes = LogEntryEncoding.Encode(Entry);
        Assert.False(LogEntryEncoding.TryDecode(bytes.AsSpan(0, bytes.Length - 1), out _));
        Assert.False(LogEntryEncoding.TryDecode([.. bytes, 0], out _));
        var numeric = LogEntryEncoding.Encode(Entry).ToArray();
        // The event name "Received" spelled as a number ("2" padded) is not canonical.
        var text = "Received"u8.ToArray();
        var at = numeric.AsSpan().IndexOf(text);
        "00000002"u8.CopyTo(numeric.AsSpan(at));
        Assert.False(LogEntryEncoding.TryDecode(numeric, out _));
        for (var i = 0; i < bytes.Length; i++)
        {
            var changed = bytes.ToArray();
            changed[i] ^= 0x80;
            if (LogEntryEncoding.TryDecode(changed, out var other))
            {
                Assert.Equal(changed, LogEntryEncoding.Encode(other));
            }
        }
    }
}
