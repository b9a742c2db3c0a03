// chaingw log reconcile <partner> (DESIGN.md §7): hold a partner to its own sharing log.
//
//   1. The partner's latest checkpoint (GET /log/checkpoint), verified with its listed key; if we ever cosigned
//      one as its witness, the new one must be consistent with it (RFC 9162 §2.1.4, proof from hash tiles).
//   2. Every entry bundle up to that size (C2SP tlog-tiles), hashed (RFC 9162 §2.1.1) into a tree whose root
//      must be the signed root, and decoded (LogEntryEncoding v1). The partner serves only the entries that name
//      us; a withheld one's leaf hash comes from the level-0 hash tile.
//   3. Every receipt we hold from the partner (signed by its listed key) names an entry (log_index, 1-based)
//      that the signed tree includes (inclusion proof from the tiles) and that records THIS message from us,
//      with the same envelope hash.
//   4. Every entry of the partner's log about an exchange with us (partner = our organisation, with a message
//      id) has a counterpart in our log (same message id, same envelope hash where both have one).
// Each difference is listed; none means the two logs tell the same story. A malformed tile or entry bundle is a
// difference (the partner does not show what it signed); a checkpoint smaller than the one we cosigned, or of its size
// with another root, is proven by the two signed notes alone and stays a difference when the partner then fails to
// serve its tiles (the result says what could not be read).
using System.Security.Cryptography;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.Errors;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tiles;
using ChainGateway.Node.Witness;
using Google.Protobuf;

namespace ChainGateway.Node.Reconcile;

/// <summary>How far a reconcile run is: a stage, and done/total within it.</summary>
public sealed record ReconcileProgress(string Stage, long Done, long Total);

/// <summary>The outcome of <see cref="SharingLogReconcile.RunAsync"/>.</summary>
/// <param name="Pending">
/// Receipts naming an entry beyond the partner's latest signed checkpoint and received recently (within
/// <see cref="SharingLogReconcile.PendingGrace"/>): the partner signs its log at an interval, so the latest exchanges are
/// not in its signed log yet. They are not differences; the next run checks them.
/// </param>
/// <param name="Unread">
/// Set when the partner's log could not be read (a server error, a timeout) after <paramref name="Differences"/> were
/// already proven: why, and that the rest was not checked. Without a proven difference such a failure is thrown instead.
/// </param>
public sealed record ReconcileResult(string Partner, long PartnerSize, int Receipts, int PartnerEntries, IReadOnlyList<string> Differences,
    int Pending = 0, string? Unread = null)
{
    public bool Ok => Differences.Count == 0 && Unread is null;
}

/// <summary>Compares the receipts and log entries we hold with a partner's cosigned/verified log, read over tlog-tiles.</summary>
public static partial class SharingLogReconcile
{
    private const int Page = 5_000;

    /// <summary>
    /// How long a receipt may name an entry the partner has not signed yet: far above a checkpoint interval (a minute by
    /// default) and the clock skew. Older, it is a difference: the partner handed out a receipt its log does not show.
    /// </summary>
    public static readonly TimeSpan PendingGrace = TimeSpan.FromMinutes(15);

    public static async Task<ReconcileResult> RunAsync(NodeContext node, INodeStore store, PartnerLogClient client, string partner,
        IProgress<ReconcileProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(client);
        string note;
        try
        {
            note = await client.GetCheckpointAsync(partner, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            // Longer than a checkpoint can be: what the witness refuses as BAD_CHECKPOINT.
            return new ReconcileResult(partner, 0, 0, 0, [$"'{partner}' serves no checkpoint: {e.Message}"]);
        }
        var checkpoint = PartnerCheckpoint.Open(node, partner, note);
        if (checkpoint is null)
        {
            return new ReconcileResult(partner, 0, 0, 0, [$"the checkpoint '{partner}' serves does not verify with its listed signing key"]);
        }
        // Filled as differences are found, so that a failure to read the rest does not lose those already proven.
        var differences = new List<string>();
        try
        {
            return await CompareAsync(node, store, client, partner, checkpoint, differences, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            // A malformed hash tile or entry bundle (one over its bound included): the partner does not show the log it
            // signed, as the witness's TILES_MISMATCH.
            differences.Add($"the partner serves a malformed tile of the log it signed at size {checkpoint.Size}: {e.Message}");
            return new ReconcileResult(partner, checkpoint.Size, 0, 0, differences);
        }
        catch (HttpRequestException e) when (e.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Gone)
        {
            // The partner signed a log it does not show (a server error or an unreachable partner stays a failure to read).
            differences.Add($"the partner does not serve the tiles of the log it signed at size {checkpoint.Size} (HTTP {(int)e.StatusCode.Value}): it cannot be shown to hold our exchanges");
            return new ReconcileResult(partner, checkpoint.Size, 0, 0, differences);
        }
        catch (Exception e) when (differences.Count > 0 && (e is HttpRequestException or IOException or TaskCanceledException) && !cancellationToken.IsCancellationRequested)
        {
            // A rollback or fork the signed checkpoints prove by themselves (no tile needed) stands whatever the partner
            // answers next; a partner failing its tiles must not turn it into "cannot be read" (the witness refuses such a
            // checkpoint before it reads a tile, for the same reason).
            return new ReconcileResult(partner, checkpoint.Size, 0, 0, differences,
                Unread: $"the partner's log could not be read after that ({e.Message}); its entries and our receipts were not all checked");
        }
    }

    private static async Task<ReconcileResult> CompareAsync(NodeContext node, INodeStore store, PartnerLogClient client, string partner,
        Checkpoint checkpoint, List<string> differences, IProgress<ReconcileProgress>? progress, CancellationToken cancellationToken)
    {
        var tiles = client.HashReader(partner, checkpoint.Size);
        if (await store.ReadWitnessedAsync(partner, cancellationToken).ConfigureAwait(false) is { } cosigned)
        {
            var consistent = cosigned.Size <= checkpoint.Size && MerkleProofs.VerifyConsistency(cosigned.Size, checkpoint.Size, cosigned.Root, checkpoint.RootHash,
                await tiles.ConsistencyProofAsync(Math.Min(cosigned.Size, checkpoint.Size), checkpoint.Size, cancellationToken).ConfigureAwait(false));
            if (!consistent)
            {
                differences.Add($"the partner's checkpoint at size {checkpoint.Size} is not consistent with the one we cosigned at size {cosigned.Size} (forked or rewritten log)");
            }
        }

        var entries = await ReadEntriesAsync(client, partner, checkpoint, progress, cancellationToken).ConfigureAwait(false);
        if (entries is null)
        {
            differences.Add($"the partner's entry bundles do not hash to its signed root at size {checkpoint.Size}");
            return new ReconcileResult(partner, checkpoint.Size, 0, 0, differences);
        }

        var ours = await OurExchangesAsync(store, partner, progress, cancellationToken).ConfigureAwait(false);
        var receipts = await store.ReadReceiptsAsync(partner, cancellationToken).ConfigureAwait(false);
        var pending = 0;
        for (var i = 0; i < receipts.Count; i++)
        {
            var check = await CheckReceiptAsync(node, partner, receipts[i], checkpoint, entries, tiles, cancellationToken).ConfigureAwait(false);
            if (check.Pending)
            {
                pending++;
            }
            else if (check.Difference is { } difference)
            {
                differences.Add(difference);
            }
            progress?.Report(new ReconcileProgress("receipts", i + 1, receipts.Count));
        }

        var claims = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Entry is not { } theirs)
            {
                if (entries[i].Bytes.Length > 0)
                {
                    differences.Add($"the partner's entry #{i + 1} is not a version-1 log entry");
                }
                // Otherwise withheld: an entry that does not name us.
                continue;
            }
            if (theirs.Partner != node.Organisation || theirs.MessageId is not { } id)
            {
                continue;
            }
            claims++;
            if (!ours.TryGetValue(id, out var counterparts))
            {
                differences.Add($"the partner's entry #{i + 1} ({theirs.Event} of message {id}) has no counterpart in our log");
            }
            else if (theirs.EnvelopeHash is { } hash && counterparts.Any(o => o.EnvelopeHash is { } h && !h.AsSpan().SequenceEqual(hash)))
            {
                differences.Add($"the partner's entry #{i + 1} ({theirs.Event} of message {id}) has another envelope hash than our log");
            }
        }
        return new ReconcileResult(partner, checkpoint.Size, receipts.Count, claims, differences, pending);
    }

    // Every entry bundle up to the checkpoint, checked against the signed root; null if they do not hash to it. The partner
    // serves only the entries that name us and withholds the others (empty); their leaf hashes come from the level-0 hash
    // tile, so the root is still computed over every entry.
    private static async Task<List<(byte[] Bytes, LogEntry? Entry)>?> ReadEntriesAsync(PartnerLogClient client, string partner, Checkpoint checkpoint,
        IProgress<ReconcileProgress>? progress, CancellationToken cancellationToken)
    {
        var tree = new MerkleTree();
        var entries = new List<(byte[], LogEntry?)>((int)Math.Min(checkpoint.Size, 1 << 20));
        var bundles = (checkpoint.Size + TilePath.FullWidth - 1) / TilePath.FullWidth;
        for (long n = 0; n < bundles; n++)
        {
            var width = TilePath.WidthAt(0, n, checkpoint.Size);
            var tile = new TilePath(0, n, width, IsEntries: true);
            var bundle = await client.GetTileAsync(partner, tile, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<byte[]> split;
            try
            {
                split = EntryBundles.Split(bundle, width);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{tile}: {e.Message}", e);
            }
            var leaves = split.Any(bytes => bytes.Length == 0)
                ? await client.GetTileAsync(partner, tile with { IsEntries = false }, cancellationToken).ConfigureAwait(false)
                : null;
            if (leaves is not null && leaves.Length != width * MerkleTree.HashSize)
            {
                throw new InvalidDataException($"{tile with { IsEntries = false }}: {leaves.Length} bytes, not {width} hashes");
            }
            for (var i = 0; i < split.Count; i++)
            {
                var bytes = split[i];
                if (bytes.Length == 0)
                {
                    tree.Append(leaves!.AsSpan(i * MerkleTree.HashSize, MerkleTree.HashSize));
                    entries.Add((bytes, null));
                    continue;
                }
                tree.AppendEntry(bytes);
                entries.Add((bytes, LogEntryEncoding.TryDecode(bytes, out var entry) ? entry with { Index = tree.Size } : null));
            }
            progress?.Report(new ReconcileProgress("partner's entries", Math.Min((n + 1) * TilePath.FullWidth, checkpoint.Size), checkpoint.Size));
        }
        return CryptographicOperations.FixedTimeEquals(tree.Root(), checkpoint.RootHash) ? entries : null;
    }

    private static async Task<Dictionary<Guid, List<LogEntry>>> OurExchangesAsync(INodeStore store, string partner, IProgress<ReconcileProgress>? progress,
        CancellationToken cancellationToken)
    {
        var ours = new Dictionary<Guid, List<LogEntry>>();
        for (var next = 1L; ;)
        {
            var page = await store.ReadLogAsync(next, Page, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.Where(e => e.Partner == partner && e.MessageId is not null))
            {
                if (!ours.TryGetValue(entry.MessageId!.Value, out var list))
                {
                    ours[entry.MessageId.Value] = list = [];
                }
                list.Add(entry);
            }
            if (page.Count < Page)
            {
                return ours;
            }
            next = page[^1].Index + 1;
            progress?.Report(new ReconcileProgress("our log", next - 1, 0));
        }
    }
}
