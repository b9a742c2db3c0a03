// Witnessing (DESIGN.md §7; C2SP tlog-cosignature): every node is its partners' witness. Protocol, pull-based:
//
//   1. GET  <partner>/log/checkpoint; verify the note with the partner's listed Ed25519 key(s), origin
//      chaingateway/<partner> (C2SP tlog-checkpoint, signed-note). Every answer is read with a bound (PartnerLogClient):
//      a longer checkpoint answer is a bad checkpoint, a longer hash tile a tiles mismatch. A note over
//      Checkpoint.MaxNoteBytes (signature or extension lines appended) is a bad checkpoint too, never stored.
//   2. From the partner's hash tiles (C2SP tlog-tiles): the tree of the new size must hash to the signed root, and
//      RFC 9162 §2.1.4 PROOF(old, new) must verify between the largest checkpoint cosigned before and this one.
//      A smaller size, or the same size with another root, is refused before any tile is read (the notes prove it).
//   3. Store the checkpoint as witnessed, cosign it (cosignature/v1, key name chaingateway/<us>), POST the
//      cosigned note to <partner>/log/add-cosignature.
//
// A refusal (LOG_FORKED, ROLLED_BACK, TILES_MISMATCH, BAD_CHECKPOINT) is the operator alert: an error log event,
// the chaingateway.witness.refusals counter and a WitnessRefused entry in our own sharing log, once per distinct
// checkpoint. The witness never cosigns anything inconsistent with what it cosigned before.
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;
using ChainGateway.Core.Telemetry;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tiles;

namespace ChainGateway.Node.Witness;

/// <summary>Fetches, checks and cosigns each partner's latest checkpoint at an interval (and on demand).</summary>
public sealed class SharingLogWitness(NodeContext node, INodeStore store, PartnerLogClient partners, ILogger<SharingLogWitness> logger) : BackgroundService
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly ConcurrentDictionary<string, byte> alerted = new(StringComparer.Ordinal);

    /// <summary>Witnesses every partner in the trust list once; unreachable partners are skipped (and logged).</summary>
    public async Task<IReadOnlyList<WitnessResult>> WitnessAllAsync(CancellationToken cancellationToken)
    {
        var results = new List<WitnessResult>();
        foreach (var partner in node.TrustList.Partners.Where(p => p.Id != node.Organisation && p.PeerEndpoint.Length > 0))
        {
            try
            {
                results.Add(await WitnessAsync(partner.Id, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                NodeLog.WitnessUnreachable(logger, partner.Id, e.Message);
            }
        }
        return results;
    }

    /// <summary>Witnesses one partner now: fetch, verify, check consistency, cosign or refuse.</summary>
    /// <exception cref="HttpRequestException">The partner's log could not be read.</exception>
    public async Task<WitnessResult> WitnessAsync(string partner, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            string note;
            try
            {
                note = await partners.GetCheckpointAsync(partner, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                // Longer than a checkpoint can be (or encoded unasked): refused unread. With no note to tell such answers
                // apart, the alert is named by the message, which names no length the partner chose: one alert, not one a round.
                return await RefuseAsync(partner, 0, e.Message, WitnessRefusal.BadCheckpoint, e.Message, cancellationToken).ConfigureAwait(false);
            }
            var checkpoint = PartnerCheckpoint.Open(node, partner, note);
            if (checkpoint is null)
            {
                // The size it claims, if it reads as a checkpoint at all (unverified: for the alert, not for any decision).
                var claimed = Checkpoint.TryParse(note, out var unverified) ? unverified.Size : 0;
                return await RefuseAsync(partner, claimed, note, WitnessRefusal.BadCheckpoint,
                    "the checkpoint does not verify with the partner's listed signing key, or its origin is not the partner's", cancellationToken).ConfigureAwait(false);
            }
            var previous = await store.ReadWitnessedAsync(partner, cancellationToken).ConfigureAwait(false);
            // A smaller size, or the same size with another root, proves a rollback or a fork by the signed notes alone:
            // refused before any tile is read, so a partner that then fails its tile requests (5xx, a reset) cannot turn
            // the proof into an "unreachable" that raises no alert.
            if (previous is not null && checkpoint.Size < previous.Size)
            {
                return await RefuseAsync(partner, checkpoint.Size, note, WitnessRefusal.RolledBack,
                    Invariant($"size {checkpoint.Size} is smaller than the checkpoint cosigned before (size {previous.Size})"), cancellationToken).ConfigureAwait(false);
            }
            if (previous is not null && checkpoint.Size == previous.Size && !CryptographicOperations.FixedTimeEquals(previous.Root, checkpoint.RootHash))
            {
                return await RefuseAsync(partner, checkpoint.Size, note, WitnessRefusal.LogForked, Inconsistent(checkpoint, previous), cancellationToken).ConfigureAwait(false);
            }
            // After the checks the signed text proves by itself (a padded rollback stays a rollback), before any tile is
            // read or anything stored: a note longer than a checkpoint needs is not taken, whoever signed it.
            var noteBytes = System.Text.Encoding.UTF8.GetByteCount(note);
            if (noteBytes > Checkpoint.MaxNoteBytes)
            {
                return await RefuseAsync(partner, checkpoint.Size, note, WitnessRefusal.BadCheckpoint,
                    Invariant($"the checkpoint note is {noteBytes} bytes, more than the {Checkpoint.MaxNoteBytes} a checkpoint with its cosignatures may be"),
                    cancellationToken).ConfigureAwait(false);
            }
            var tiles = partners.HashReader(partner, checkpoint.Size);
            byte[] tileRoot;
            byte[][] proof;
            try
            {
                tileRoot = await tiles.RootAsync(checkpoint.Size, cancellationToken).ConfigureAwait(false);
                proof = previous is null ? [] : await tiles.ConsistencyProofAsync(previous.Size, checkpoint.Size, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                return await RefuseAsync(partner, checkpoint.Size, note, WitnessRefusal.TilesMismatch, e.Message, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                // The partner signed a tree it does not serve the tiles of: it cannot show that tree, which is a refusal and
                // an alert, not an outage (an unreachable partner or a 5xx is retried next round, as before).
                return await RefuseAsync(partner, checkpoint.Size, note, WitnessRefusal.TilesMismatch,
                    Invariant($"the partner signed size {checkpoint.Size} but does not serve its hash tiles ({(int)e.StatusCode!}: {e.Message})"),
                    cancellationToken).ConfigureAwait(false);
            }
            if (!CryptographicOperations.FixedTimeEquals(tileRoot, checkpoint.RootHash))
            {
                return await RefuseAsync(partner, checkpoint.Size, note, WitnessRefusal.TilesMismatch,
                    Invariant($"the hash tiles give root {Convert.ToHexStringLower(tileRoot)} for size {checkpoint.Size}, not the signed {Convert.ToHexStringLower(checkpoint.RootHash)}"), cancellationToken).ConfigureAwait(false);
            }
            if (previous is not null)
            {
                // RFC 9162 §2.1.4.2: the new tree must extend the one we cosigned; for equal sizes the roots must be equal.
                if (!MerkleProofs.VerifyConsistency(previous.Size, checkpoint.Size, previous.Root, checkpoint.RootHash, proof))
                {
                    return await RefuseAsync(partner, checkpoint.Size, note, WitnessRefusal.LogForked, Inconsistent(checkpoint, previous), cancellationToken).ConfigureAwait(false);
                }
            }
            return await CosignAsync(partner, note, checkpoint, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private static string Inconsistent(Checkpoint checkpoint, WitnessedCheckpoint previous) =>
        Invariant($"size {checkpoint.Size} root {Convert.ToHexStringLower(checkpoint.RootHash)} is not consistent with the cosigned size {previous.Size} root {Convert.ToHexStringLower(previous.Root)}");

    public override void Dispose()
    {
        gate.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The first round after one interval: partners start at their own pace.
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, node.Configuration.SharingLog.WitnessSeconds)), node.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await WitnessAllAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // Whatever a partner serves must not stop this node; the next round tries again.
                    NodeLog.WitnessUnreachable(logger, "(round)", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<WitnessResult> CosignAsync(string partner, string note, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        var now = node.Time.GetUtcNow();
        var body = SignedNote.Parse(note).Body;
        var line = Cosignature.Sign(body, Checkpoint.OriginFor(node.Organisation), node.Keys.Signing, now.ToUnixTimeSeconds());
        // Stored before it is sent: from now on, nothing inconsistent with it gets our signature.
        await store.SaveWitnessedAsync(new WitnessedCheckpoint(partner, checkpoint.Size, checkpoint.RootHash, note, now), cancellationToken).ConfigureAwait(false);
        var status = await partners.PostCosignatureAsync(partner, body + "\n" + line, cancellationToken).ConfigureAwait(false);
        ChainGatewayTelemetry.Cosignatures.Add(1, new KeyValuePair<string, object?>("partner", partner));
        NodeLog.Cosigned(logger, partner, checkpoint.Size, Convert.ToHexStringLower(checkpoint.RootHash), (int)status);
        return new WitnessResult(partner, checkpoint.Size, null, Invariant($"cosigned size {checkpoint.Size}; the partner answered {(int)status}"));
    }

    private async Task<WitnessResult> RefuseAsync(string partner, long size, string note, WitnessRefusal refusal, string detail, CancellationToken cancellationToken)
    {
        var code = WitnessResult.Code(refusal);
        // One alert per distinct checkpoint served, not one per round. The checkpoint is the note's signed text: the
        // signature lines after it are left out, or a partner could make each round's note new with another
        // (unverifiable) cosignature line and fill this node's sharing log with alerts. Its digest goes into the alert's
        // detail, so the operator can tell which note it was and a restarted node does not raise the same alert again.
        var digest = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(SignedText(note))));
        await RememberLoggedAlertsAsync(cancellationToken).ConfigureAwait(false);
        if (alerted.TryAdd(partner + "\n" + digest, 0))
        {
            NodeLog.WitnessRefused(logger, partner, size, code, detail);
            ChainGatewayTelemetry.WitnessRefusals.Add(1, new KeyValuePair<string, object?>("partner", partner), new KeyValuePair<string, object?>("reason", code));
            await store.AppendLogAsync(new LogEntry
            {
                Time = node.Time.GetUtcNow(),
                Event = LogEvent.WitnessRefused,
                Partner = partner,
                Outcome = "refused",
                ReasonCode = code,
                Detail = detail + CheckpointDigestMarker + digest,
            }, cancellationToken).ConfigureAwait(false);
        }
        return new WitnessResult(partner, size, refusal, detail);
    }

    /// <summary>How an alert's detail names the refused checkpoint: the SHA-256 of its signed text, in hex.</summary>
    private const string CheckpointDigestMarker = "; checkpoint sha256:";

    /// <summary>How many of the latest alerts a (re)started witness reads back to know what it alerted before.</summary>
    private const int RememberedAlerts = 1000;

    private bool remembered;

    /// <summary>Once per process, before the first alert: the checkpoints already alerted, from the sharing log's alerts.</summary>
    private async Task RememberLoggedAlertsAsync(CancellationToken cancellationToken)
    {
        if (remembered)
        {
            return;
        }
        foreach (var alert in await store.ReadWitnessAlertsAsync(RememberedAlerts, cancellationToken).ConfigureAwait(false))
        {
            var at = alert.Detail?.LastIndexOf(CheckpointDigestMarker, StringComparison.Ordinal) ?? -1;
            if (alert.Partner is { } partner && at >= 0)
            {
                alerted.TryAdd(partner + "\n" + alert.Detail![(at + CheckpointDigestMarker.Length)..], 0);
            }
        }
        remembered = true;
    }

    private static string SignedText(string note) => SignedNote.TryParse(note, out var parsed) ? parsed.Body : note;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
