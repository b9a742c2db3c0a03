using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;

namespace ChainGateway.Node.Hosting;

/// <summary>The result of <see cref="SharingLogAudit.VerifyAsync"/>: what was checked, and the first problem if any.</summary>
public sealed record LogAuditResult(long Entries, int Checkpoints, string? Problem)
{
    public bool Ok => Problem is null;

    /// <summary>
    /// Entries under the largest signed checkpoint: their fields, leaf hashes and the signed root are checked. The entries
    /// after it (<see cref="Entries"/> minus these, the latest interval's) are checked against their stored leaf hashes
    /// only, which whoever can write the store could change along with them, until the next checkpoint covers them.
    /// </summary>
    public long SignedEntries { get; init; }

    /// <summary>Partners' cosignatures of our checkpoints that verified.</summary>
    public int Cosignatures { get; init; }

    /// <summary>Witness alerts in the log: partners' checkpoints this node refused to cosign (WitnessRefused entries), oldest first.</summary>
    public IReadOnlyList<LogEntry> WitnessAlerts { get; init; } = [];
}

/// <summary><c>chaingw log verify</c>: recompute every leaf and root from the store and check every checkpoint signature.</summary>
public static class SharingLogAudit
{
    private const int Page = 50_000;

    public static Task<LogAuditResult> VerifyAsync(NodeContext node, INodeStore store, IProgress<long>? progress, CancellationToken cancellationToken) =>
        VerifyAsync(node, store, progress, Page, cancellationToken);

    // page: rows per read; the signed entries are split in two halves once there are at least two pages of them.
    internal static async Task<LogAuditResult> VerifyAsync(NodeContext node, INodeStore store, IProgress<long>? progress, int page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(store);
        if (!node.TrustList.TryGet(node.Organisation, out var self))
        {
            return new LogAuditResult(0, 0, $"'{node.Organisation}' is not in the trust list");
        }
        // Checkpoints are signed with the node's own listed signing keys: any of them, valid now or not, since a checkpoint
        // signed before a rotation stays signed with the old key (a note carries no time to pick a key by, and the stored
        // time is no more to be trusted than the note). Never keys.json: a key the federation does not list is not ours.
        if (self.SigningKeys.Count == 0)
        {
            return new LogAuditResult(0, 0, $"the trust list lists no signing key for '{node.Organisation}'");
        }
        var now = node.Time.GetUtcNow();
        var keys = self.SigningKeys.OrderByDescending(k => k.IsValidAt(now)).Select(k => k.Key).ToList();
        var verifier = new LogVerifier(Checkpoint.OriginFor(node.Organisation), keys);
        // Checkpoints first (few, small): the verifier then keeps only the roots at their sizes.
        var notes = await store.ReadCheckpointsAsync(cancellationToken).ConfigureAwait(false);
        verifier.ExpectCheckpoints(notes);
        var signedSize = notes.Select(n => Checkpoint.TryParse(n, out var c) ? c.Size : 0).DefaultIfEmpty(0).Max();

        // Entries #1..#signedSize in two halves on two read connections (recompute bytes and leaf hashes), then the tree
        // over their leaves in order; the rest (after the latest checkpoint) one by one.
        var alerts = new List<LogEntry>();
        var next = 1L;
        if (signedSize >= 2 * page && signedSize <= int.MaxValue / MerkleTree.HashSize)
        {
            var leaves = new byte[signedSize * MerkleTree.HashSize];
            var half = signedSize / 2;
            Chunk[] chunks = [new(1, half, leaves), new(half + 1, signedSize - half, leaves)];
            var done = 0L;
            await Task.WhenAll(chunks.Select(chunk => Task.Run(() => chunk.RunAsync(store, page, n => progress?.Report(Interlocked.Add(ref done, n)), cancellationToken),
                cancellationToken))).ConfigureAwait(false);
            foreach (var chunk in chunks)
            {
                alerts.AddRange(chunk.Alerts);
                verifier.AppendCheckedRange(leaves.AsMemory((int)((chunk.From - 1) * MerkleTree.HashSize), (int)(chunk.Visited * MerkleTree.HashSize)));
                if (chunk.Problem is { } problem)
                {
                    return new LogAuditResult(verifier.Entries, 0, problem) { WitnessAlerts = alerts };
                }
                if (chunk.Visited < chunk.Count)
                {
                    break;
                }
            }
            next = verifier.Entries + 1;
        }
        var scan = new Scan(verifier);
        while (true)
        {
            var (count, last) = await store.ScanLogBytesAsync(next, page, scan, cancellationToken).ConfigureAwait(false);
            if (scan.Problem is { } problem)
            {
                alerts.AddRange(scan.Alerts);
                return new LogAuditResult(verifier.Entries, 0, problem) { WitnessAlerts = alerts };
            }
            progress?.Report(verifier.Entries);
            if (count < page)
            {
                break;
            }
            next = last + 1;
        }
        alerts.AddRange(scan.Alerts);
        if (verifier.CheckCheckpoints(notes) is { } bad)
        {
            return new LogAuditResult(verifier.Entries, notes.Count, bad) { WitnessAlerts = alerts };
        }
        // Witness keys from the trust list: any listed signing key (a cosignature may predate a rotation).
        var cosignatures = await store.ReadCosignaturesAsync(null, cancellationToken).ConfigureAwait(false);
        var cosignatureProblem = verifier.CheckCosignatures(cosignatures,
            witness => node.TrustList.TryGet(witness, out var partner) ? partner.SigningKeys.Select(k => k.Key) : []);
        return new LogAuditResult(verifier.Entries, notes.Count, cosignatureProblem)
        {
            Cosignatures = cosignatureProblem is null ? cosignatures.Count : 0,
            WitnessAlerts = alerts,
            SignedEntries = Math.Min(signedSize, verifier.Entries),
        };
    }

    // Feeds the verifier from the store's raw scan; keeps the first problem and the witness alerts.
    private sealed class Scan(LogVerifier verifier) : ILogEntryBytesVisitor
    {
        public string? Problem { get; private set; }

        public List<LogEntry> Alerts { get; } = [];

        public bool Visit(long index, LogEntryBytesWriter? entry, ReadOnlySpan<byte> storedLeafHash)
        {
            Problem = verifier.Add(index, entry, storedLeafHash);
            if (Problem is null && entry!.IsEvent(LogEvent.WitnessRefused) && LogEntryEncoding.TryDecode(entry.EntryBytes, out var alert))
            {
                Alerts.Add(alert with { Index = index });
            }
            return Problem is null;
        }
    }

    // Entries #From..#From+Count-1 checked on their own (bytes, leaf hash, index order); leaves written into the shared array.
    private sealed class Chunk(long from, long count, byte[] leaves) : ILogEntryBytesVisitor
    {
        public long From => from;

        public long Count => count;

        public long Visited { get; private set; }

        public string? Problem { get; private set; }

        public List<LogEntry> Alerts { get; } = [];

        public async Task RunAsync(INodeStore store, int page, Action<long> progress, CancellationToken cancellationToken)
        {
            while (Problem is null && Visited < count)
            {
                var max = (int)Math.Min(page, count - Visited);
                var before = Visited;
                var (read, _) = await store.ScanLogBytesAsync(from + Visited, max, this, cancellationToken).ConfigureAwait(false);
                progress(Visited - before);
                if (read < max)
                {
                    return;
                }
            }
        }

        public bool Visit(long index, LogEntryBytesWriter? entry, ReadOnlySpan<byte> storedLeafHash)
        {
            var leaf = leaves.AsSpan((int)((from - 1 + Visited) * MerkleTree.HashSize), MerkleTree.HashSize);
            Problem = LogVerifier.CheckEntry(index, from + Visited, entry, storedLeafHash, leaf);
            if (Problem is not null)
            {
                return false;
            }
            if (entry!.IsEvent(LogEvent.WitnessRefused) && LogEntryEncoding.TryDecode(entry.EntryBytes, out var alert))
            {
                Alerts.Add(alert with { Index = index });
            }
            Visited++;
            return true;
        }
    }
}
