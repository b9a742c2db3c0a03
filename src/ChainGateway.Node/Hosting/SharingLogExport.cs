using System.Text.Json;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;

namespace ChainGateway.Node.Hosting;

/// <summary>What to export: every criterion given must hold.</summary>
public sealed record LogExportFilter(DateTimeOffset? From = null, DateTimeOffset? To = null, string? Partner = null, string? Purpose = null,
    string? SubjectPseudonym = null);

/// <summary>
/// <c>chaingw log export</c> (docs/sharing-log.md): JSON Lines. First line: the latest signed checkpoint
/// (<c>{"checkpoint": "&lt;note&gt;"}</c>); then one line per selected entry with its fields, its leaf hash and its
/// RFC 9162 inclusion proof against that checkpoint, so a privacy officer (or a tool no one here wrote) can check each
/// entry without the rest of the log.
/// </summary>
public static class SharingLogExport
{
    private const int Page = 5_000;

    public static async Task<int> WriteAsync(INodeStore store, LogExportFilter filter, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(output);
        var notes = await store.ReadCheckpointsAsync(cancellationToken).ConfigureAwait(false);
        if (notes.Count == 0 || !Checkpoint.TryParse(notes[^1], out var checkpoint))
        {
            throw new InvalidOperationException("the log has no checkpoint yet: start the node (it signs one) and export again");
        }
        var tree = new MerkleTree();
        var selected = new List<LogEntry>();
        for (var next = 1L; tree.Size < checkpoint.Size;)
        {
            var entries = await store.ReadLogAsync(next, Page, cancellationToken).ConfigureAwait(false);
            foreach (var entry in entries.TakeWhile(e => e.Index <= checkpoint.Size))
            {
                // Every proof is computed from this tree: an entry missing, or changed since it was written, would give
                // proofs that do not verify (or fields its proof does not cover). Refused, with where to look.
                if (entry.Index != tree.Size + 1)
                {
                    throw Unexportable($"entry #{tree.Size + 1} is missing");
                }
                if (!MerkleTree.HashLeaf(LogEntryEncoding.Encode(entry)).AsSpan().SequenceEqual(entry.LeafHash))
                {
                    throw Unexportable($"entry #{entry.Index} does not hash to its stored leaf (changed after it was written)");
                }
                tree.Append(entry.LeafHash);
                if (Matches(entry, filter))
                {
                    selected.Add(entry);
                }
            }
            if (entries.Count < Page)
            {
                break;
            }
            next = entries[^1].Index + 1;
        }
        if (tree.Size < checkpoint.Size)
        {
            throw Unexportable($"the log holds {tree.Size} entries, its latest checkpoint signs {checkpoint.Size}");
        }
        if (!tree.Root().AsSpan().SequenceEqual(checkpoint.RootHash))
        {
            throw Unexportable($"its entries do not hash to the root its latest checkpoint signs at size {checkpoint.Size}");
        }
        await output.WriteLineAsync(JsonSerializer.Serialize(new { checkpoint = notes[^1] })).ConfigureAwait(false);
        foreach (var entry in selected)
        {
            var proof = tree.InclusionProof(entry.Index - 1, checkpoint.Size);
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                index = entry.Index,
                time = entry.Time,
                @event = entry.Event.ToString(),
                partner = entry.Partner,
                user = entry.User,
                purpose = entry.Purpose,
                processingActivity = entry.ProcessingActivity,
                ruleId = entry.RuleId,
                signalType = entry.SignalType,
                subjectPseudonym = entry.SubjectPseudonym,
                messageId = entry.MessageId,
                envelopeHash = entry.EnvelopeHash is null ? null : Convert.ToHexStringLower(entry.EnvelopeHash),
                outcome = entry.Outcome,
                reasonCode = entry.ReasonCode,
                detail = entry.Detail,
                traceId = entry.TraceId,
                spanId = entry.SpanId,
                foreignTraceId = entry.ForeignTraceId,
                foreignSpanId = entry.ForeignSpanId,
                leafHash = Convert.ToBase64String(entry.LeafHash!),
                inclusionProof = proof.Select(Convert.ToBase64String).ToArray(),
            })).ConfigureAwait(false);
        }
        return selected.Count;
    }

    private static InvalidOperationException Unexportable(string problem) =>
        new($"the log does not match its signed checkpoint ({problem}); nothing is exported: run chaingw log verify, which names the first bad entry");

    private static bool Matches(LogEntry entry, LogExportFilter filter) =>
        (filter.From is null || entry.Time >= filter.From)
        && (filter.To is null || entry.Time < filter.To)
        && (filter.Partner is null || entry.Partner == filter.Partner)
        && (filter.Purpose is null || entry.Purpose == filter.Purpose)
        && (filter.SubjectPseudonym is null || (entry.SubjectPseudonym?.Split(',').Contains(filter.SubjectPseudonym) ?? false));
}
