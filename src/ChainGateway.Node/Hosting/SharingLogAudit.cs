using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;

namespace ChainGateway.Node.Hosting;

/// <summary>The result of <see cref="SharingLogAudit.VerifyAsync"/>: what was checked, and the first problem if any.</summary>
public sealed record LogAuditResult(long Entries, int Checkpoints, string? Problem)
{
    public bool Ok => Problem is null;

    /// <summary>Partners' cosignatures of our checkpoints that verified.</summary>
    public int Cosignatures { get; init; }

    /// <summary>Witness alerts in the log: partners' checkpoints this node refused to cosign (WitnessRefused entries), oldest first.</summary>
    public IReadOnlyList<LogEntry> WitnessAlerts { get; init; } = [];
}

/// <summary><c>chaingw log verify</c>: recompute every leaf and root from the store and check every checkpoint signature.</summary>
public static class SharingLogAudit
{
    private const int Page = 5_000;

    public static async Task<LogAuditResult> VerifyAsync(NodeContext node, INodeStore store, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(store);
        if (!node.TrustList.TryGet(node.Organisation, out var self))
        {
            return new LogAuditResult(0, 0, $"'{node.Organisation}' is not in the trust list");
        }
        // Checkpoints are signed with the node's own listed signing key; the current one is the first valid now.
        var key = self.SigningKeys.FirstOrDefault(k => k.IsValidAt(node.Time.GetUtcNow()))?.Key ?? node.Keys.Signing.PublicKey;
        var verifier = new LogVerifier(Checkpoint.OriginFor(node.Organisation), key);
        var alerts = new List<LogEntry>();
        var next = 1L;
        while (true)
        {
            var entries = await store.ReadLogAsync(next, Page, cancellationToken).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                if (verifier.Add(entry) is { } problem)
                {
                    return new LogAuditResult(verifier.Entries, 0, problem) { WitnessAlerts = alerts };
                }
                if (entry.Event == LogEvent.WitnessRefused)
                {
                    alerts.Add(entry);
                }
            }
            progress?.Report(verifier.Entries);
            if (entries.Count < Page)
            {
                break;
            }
            next = entries[^1].Index + 1;
        }
        var notes = await store.ReadCheckpointsAsync(cancellationToken).ConfigureAwait(false);
        if (verifier.CheckCheckpoints(notes) is { } bad)
        {
            return new LogAuditResult(verifier.Entries, notes.Count, bad) { WitnessAlerts = alerts };
        }
        // Witness keys from the trust list: any listed signing key (a cosignature may predate a rotation).
        var cosignatures = await store.ReadCosignaturesAsync(null, cancellationToken).ConfigureAwait(false);
        var cosignatureProblem = verifier.CheckCosignatures(cosignatures,
            witness => node.TrustList.TryGet(witness, out var partner) ? partner.SigningKeys.Select(k => k.Key) : []);
        return new LogAuditResult(verifier.Entries, notes.Count, cosignatureProblem) { Cosignatures = cosignatureProblem is null ? cosignatures.Count : 0, WitnessAlerts = alerts };
    }
}
