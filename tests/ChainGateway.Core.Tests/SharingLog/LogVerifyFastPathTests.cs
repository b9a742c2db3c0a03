using ChainGateway.Core.SharingLog;

namespace ChainGateway.Core.Tests.SharingLog;

/// <summary>The pieces of the fast <c>log verify</c>: the raw-field writer equals the encoding, the frontier equals the tree.</summary>
public sealed class LogVerifyFastPathTests
{
    [Fact]
    public void MerkleFrontier_GivesTheTreesRoot_AtEverySize()
    {
        var tree = new MerkleTree();
        var frontier = new MerkleFrontier();
        Assert.Equal(tree.Root(), frontier.Root());
        for (var i = 0; i < 1100; i++)
        {
            var leaf = MerkleTree.HashLeaf(BitConverter.GetBytes(i));
            tree.Append(leaf);
            frontier.Append(leaf);
            Assert.Equal(tree.Root(), frontier.Root());
        }
    }

    [Fact]
    public void RawFieldWriter_WritesTheCanonicalBytes_AndTheLeafHash()
    {
        var entry = new LogEntry
        {
            Time = new DateTimeOffset(2026, 11, 23, 9, 30, 0, 123, TimeSpan.Zero),
            Event = LogEvent.WitnessRefused,
            Partner = "om",
            Purpose = "",
            MessageId = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff"),
            EnvelopeHash = [1, 2],
            Outcome = "refused",
            ReasonCode = "LOG_FORKED",
            Detail = "é ✓",
        };
        var writer = new LogEntryBytesWriter();
        writer.Begin(entry.Time.ToUnixTimeMilliseconds());
        string?[] texts = [entry.Event.ToString(), entry.Partner, entry.User, entry.Purpose, entry.ProcessingActivity, entry.RuleId, entry.SignalType, entry.SubjectPseudonym];
        var layout = LogEntryEncoding.FieldLayout.ToArray();
        var field = 0;
        foreach (var text in texts)
        {
            Assert.True(writer.Field(layout[field++], text is not null, text is null ? default : System.Text.Encoding.UTF8.GetBytes(text)));
        }
        Assert.True(writer.Field(layout[field++], true, entry.MessageId!.Value.ToByteArray(bigEndian: true)));
        Assert.True(writer.Field(layout[field++], true, entry.EnvelopeHash));
        foreach (var text in new[] { entry.Outcome, entry.ReasonCode, entry.Detail, entry.TraceId, entry.SpanId, entry.ForeignTraceId, entry.ForeignSpanId })
        {
            Assert.True(writer.Field(layout[field++], text is not null, text is null ? default : System.Text.Encoding.UTF8.GetBytes(text)));
        }
        Assert.Equal(layout.Length, field);
        Assert.Equal(LogEntryEncoding.Encode(entry), writer.EntryBytes.ToArray());
        var leaf = new byte[32];
        writer.LeafHash(leaf);
        Assert.Equal(MerkleTree.HashLeaf(LogEntryEncoding.Encode(entry)), leaf);
        Assert.True(writer.IsEvent(LogEvent.WitnessRefused));
        Assert.False(writer.IsEvent(LogEvent.Sent));
        // Values the encoding cannot hold are refused, not written.
        Assert.False(new LogEntryBytesWriter().Field(LogFieldKind.EventName, true, "Invented"u8));
        Assert.False(new LogEntryBytesWriter().Field(LogFieldKind.Uuid, true, new byte[15]));
        Assert.False(new LogEntryBytesWriter().Field(LogFieldKind.Text, true, [0xC3]));
    }
}
