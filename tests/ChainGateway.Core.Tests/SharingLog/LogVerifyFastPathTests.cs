using System.Security.Cryptography;
using ChainGateway.Core.SharingLog;
using NSec.Cryptography;

namespace ChainGateway.Core.Tests.SharingLog;

/// <summary>The pieces of the fast <c>log verify</c>: the raw-field writer equals the encoding, the frontier equals the tree.</summary>
public sealed class LogVerifyFastPathTests
{
    private const string Origin = "chaingateway/politie";

    [Fact]
    public void VerifierSha256_EqualsSha256_ForEveryLengthAndPrefix_OnEveryThread()
    {
        var data = RandomNumberGenerator.GetBytes(700);
        // Lengths around SHA-256's 64-byte blocks and its 55/56-byte padding boundary, on several threads at once
        // (each thread has its own digest context).
        Parallel.For(0, 700, length =>
        {
            Span<byte> ours = stackalloc byte[32];
            foreach (byte prefix in new byte[] { 0x00, 0x01, 0xFF })
            {
                var split = length / 3;
                LogVerifier.Sha256.Hash(prefix, data.AsSpan(0, split), data.AsSpan(split, length - split), ours);
                var expected = SHA256.HashData([prefix, .. data.AsSpan(0, length)]);
                Assert.Equal(expected, ours.ToArray());
            }
        });
        // The destination may be one of the inputs (the tree's bottom-up pass hashes a pair into its left half).
        var pair = RandomNumberGenerator.GetBytes(64);
        var node = MerkleTree.HashChildren(pair.AsSpan(0, 32), pair.AsSpan(32));
        LogVerifier.Sha256.Hash(0x01, pair.AsSpan(0, 32), pair.AsSpan(32), pair);
        Assert.Equal(node, pair[..32]);
    }

    [Theory]
    [InlineData(0, 5000)]
    [InlineData(1500, 3500)]
    [InlineData(1024, 3072)]
    [InlineData(3, 4097)]
    public void AppendCheckedRange_GivesTheRootAtEveryCheckpoint_AsLeafByLeaf(int first, int second)
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var leaves = Enumerable.Range(0, first + second).Select(i => MerkleTree.HashLeaf(BitConverter.GetBytes(i))).ToArray();
        var tree = new MerkleTree();
        // Checkpoints at block edges, inside blocks, at the range's seam and at the end.
        long[] sizes = [1, 2, 1023, 1024, 1025, 2047, 2048, 3000, first, first + 1, 4096, first + second];
        var notes = new List<string>();
        foreach (var leaf in leaves)
        {
            tree.Append(leaf);
            if (sizes.Contains(tree.Size) && tree.Size <= leaves.Length)
            {
                notes.Add(Checkpoint.Sign(Origin, tree.Size, tree.Root(), Origin, key));
            }
        }
        var verifier = new LogVerifier(Origin, key.PublicKey);
        verifier.ExpectCheckpoints(notes);
        var flat = leaves.SelectMany(l => l).ToArray();
        verifier.AppendCheckedRange(flat.AsMemory(0, first * 32));
        verifier.AppendCheckedRange(flat.AsMemory(first * 32));
        Assert.Equal(leaves.Length, verifier.Entries);
        Assert.Null(verifier.CheckCheckpoints(notes));

        // One changed leaf in a whole block without a checkpoint inside (entries #3073..#4096, a root computed on the
        // parallel path) changes every later root.
        flat[(3500 * 32) + 7] ^= 1;
        var tampered = new LogVerifier(Origin, key.PublicKey);
        tampered.ExpectCheckpoints(notes);
        tampered.AppendCheckedRange(flat.AsMemory(0, first * 32));
        tampered.AppendCheckedRange(flat.AsMemory(first * 32));
        Assert.Contains("at size 4096: the entries #1..#4096 no longer hash to its signed root", tampered.CheckCheckpoints(notes), StringComparison.Ordinal);
    }

    [Fact]
    public void MerkleFrontier_AppendSubtree_EqualsItsLeaves_AndRefusesAMisalignedOne()
    {
        var leaves = Enumerable.Range(0, 64).Select(i => MerkleTree.HashLeaf(BitConverter.GetBytes(i))).ToArray();
        var byLeaf = new MerkleFrontier();
        var bySubtree = new MerkleFrontier();
        foreach (var leaf in leaves[..16])
        {
            byLeaf.Append(leaf);
            bySubtree.Append(leaf);
        }
        var subtree = new MerkleTree();
        foreach (var leaf in leaves[16..32])
        {
            byLeaf.Append(leaf);
            subtree.Append(leaf);
        }
        bySubtree.AppendSubtree(subtree.Root(), 4);
        Assert.Equal(byLeaf.Size, bySubtree.Size);
        Assert.Equal(byLeaf.Root(), bySubtree.Root());
        bySubtree.Append(leaves[32]);
        Assert.Throws<ArgumentOutOfRangeException>(() => bySubtree.AppendSubtree(subtree.Root(), 1));
    }

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
