using ChainGateway.Core.SharingLog;
using NSec.Cryptography;

namespace ChainGateway.Core.Tests.SharingLog;

/// <summary>Every single-byte change to a stored entry, its leaf hash or a checkpoint is detected, with the right entry named.</summary>
public sealed class LogVerifierTests
{
    private const string Origin = "chaingateway/politie";

    private static List<LogEntry> Entries(int count) => Enumerable.Range(1, count).Select(i =>
    {
        var entry = new LogEntry
        {
            Index = i,
            Time = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000 + i),
            Event = i % 2 == 0 ? LogEvent.Received : LogEvent.Sent,
            Partner = "om",
            Purpose = "risk-assessment",
            RuleId = "politie-stalking-report",
            SignalType = "StalkingReported",
            SubjectPseudonym = $"ab{i:x4}",
            MessageId = new Guid(i, 0, 0, new byte[8]),
            EnvelopeHash = [(byte)i, 2, 3],
            Outcome = "ok",
        };
        return entry with { LeafHash = MerkleTree.HashLeaf(LogEntryEncoding.Encode(entry)) };
    }).ToList();

    private static string? Verify(IEnumerable<LogEntry> entries, IEnumerable<string> checkpoints, PublicKey key)
    {
        var verifier = new LogVerifier(Origin, key);
        foreach (var entry in entries)
        {
            if (verifier.Add(entry) is { } problem)
            {
                return problem;
            }
        }
        return verifier.CheckCheckpoints(checkpoints);
    }

    private static string CheckpointOver(List<LogEntry> entries, Key key)
    {
        var tree = new MerkleTree();
        entries.ForEach(e => tree.Append(e.LeafHash));
        return Checkpoint.Sign(Origin, tree.Size, tree.Root(), Origin, key);
    }

    [Fact]
    public void EverySingleByteOfEveryLeafHash_IsDetected_NamingTheEntry()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var entries = Entries(12);
        var checkpoint = CheckpointOver(entries, key);
        Assert.Null(Verify(entries, [checkpoint], key.PublicKey));
        foreach (var target in entries)
        {
            for (var b = 0; b < target.LeafHash!.Length; b++)
            {
                var changed = (byte[])target.LeafHash.Clone();
                changed[b] ^= 0x01;
                var problem = Verify(entries.Select(e => e.Index == target.Index ? e with { LeafHash = changed } : e), [checkpoint], key.PublicKey);
                Assert.StartsWith($"entry #{target.Index}:", problem, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void EverySingleCharacterOfEveryStoredField_IsDetected_NamingTheEntry()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var entries = Entries(6);
        var checkpoint = CheckpointOver(entries, key);
        Func<LogEntry, string?>[] fields = [e => e.Partner, e => e.Purpose, e => e.RuleId, e => e.SignalType, e => e.SubjectPseudonym, e => e.Outcome];
        Func<LogEntry, string, LogEntry>[] setters =
        [
            (e, v) => e with { Partner = v }, (e, v) => e with { Purpose = v }, (e, v) => e with { RuleId = v },
            (e, v) => e with { SignalType = v }, (e, v) => e with { SubjectPseudonym = v }, (e, v) => e with { Outcome = v },
        ];
        foreach (var target in entries)
        {
            for (var f = 0; f < fields.Length; f++)
            {
                var value = fields[f](target)!;
                for (var c = 0; c < value.Length; c++)
                {
                    var changed = value[..c] + (char)(value[c] ^ 0x01) + value[(c + 1)..];
                    var problem = Verify(entries.Select(e => e.Index == target.Index ? setters[f](e, changed) : e), [checkpoint], key.PublicKey);
                    Assert.StartsWith($"entry #{target.Index}:", problem, StringComparison.Ordinal);
                }
            }
            var problemTime = Verify(entries.Select(e => e.Index == target.Index ? e with { Time = e.Time.AddMilliseconds(1) } : e), [checkpoint], key.PublicKey);
            Assert.StartsWith($"entry #{target.Index}:", problemTime, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EverySingleCharacterOfTheCheckpoint_IsDetected()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var entries = Entries(5);
        var checkpoint = CheckpointOver(entries, key);
        for (var c = 0; c < checkpoint.Length; c++)
        {
            var changed = checkpoint[..c] + (char)(checkpoint[c] ^ 0x01) + checkpoint[(c + 1)..];
            Assert.NotNull(Verify(entries, [changed], key.PublicKey));
        }
    }

    [Fact]
    public void RewrittenEntryWithConsistentLeaf_IsCaughtByTheCheckpoint()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519);
        var entries = Entries(8);
        var checkpoint = CheckpointOver(entries, key);
        var forged = entries[4] with { Partner = "veilig-thuis", LeafHash = null };
        entries[4] = forged with { LeafHash = MerkleTree.HashLeaf(LogEntryEncoding.Encode(forged)) };
        Assert.Contains("no longer hash to its signed root", Verify(entries, [checkpoint], key.PublicKey), StringComparison.Ordinal);
    }
}
