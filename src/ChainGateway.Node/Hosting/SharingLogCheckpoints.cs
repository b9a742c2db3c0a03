using System.Security.Cryptography;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;

namespace ChainGateway.Node.Hosting;

/// <summary>
/// Keeps the sharing log's Merkle tree (RFC 9162) in step with the store and signs a C2SP tlog-checkpoint at an
/// interval (and on demand) with the node's Ed25519 key, origin and key name <c>chaingateway/&lt;org&gt;</c>.
/// </summary>
/// <remarks>
/// Checkpoint.Sign's invariant is ours to keep: never sign a checkpoint inconsistent with one signed before. The tree
/// is rebuilt from the stored leaf hashes at start, so before the first signature it is held to the largest stored
/// checkpoint (same root at that size), and the entries after it — the ones about to be signed for the first time —
/// are recomputed from their stored fields. Entries under the checkpoint need no recomputing for this: the root
/// commits to their leaf hashes, and <c>chaingw log verify</c> checks their fields (all of them, ~1.2 s per million).
/// A store that fails this is not signed from until the node restarts (an error is logged); the node serves on.
/// </remarks>
public sealed class SharingLogCheckpoints(NodeContext node, INodeStore store, ILogger<SharingLogCheckpoints> logger) : BackgroundService
{
    private const int Page = 10_000;
    private readonly MerkleTree tree = new();
    private readonly SemaphoreSlim gate = new(1, 1);
    private long signedSize = -1;
    private string? latestNote;
    private bool startChecked;
    private string? refusal;

    public string Origin => Checkpoint.OriginFor(node.Organisation);

    /// <summary>Catches up with the store and signs a checkpoint if the log grew; returns the latest note, if any.</summary>
    public async Task<string?> CheckpointAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CatchUpAsync(cancellationToken).ConfigureAwait(false);
            if (!startChecked)
            {
                Refuse(await StoredLogProblemAsync(cancellationToken).ConfigureAwait(false));
                startChecked = true;
            }
            if (refusal is not null || tree.Size == signedSize)
            {
                return null;
            }
            var root = tree.Root();
            var note = Checkpoint.Sign(Origin, tree.Size, root, Origin, node.Keys.Signing);
            try
            {
                // What is stored is what is served: after a restart, the note stored before at this size.
                latestNote = await store.AppendCheckpointAsync(tree.Size, root, note, node.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }
            catch (CheckpointConflictException e)
            {
                Refuse(e.Message);
                return null;
            }
            signedSize = tree.Size;
            NodeLog.CheckpointSigned(logger, tree.Size, Convert.ToHexStringLower(root));
            return latestNote;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var leaves = await store.ReadLeafHashesAsync(tree.Size + 1, Page, cancellationToken).ConfigureAwait(false);
            foreach (var leaf in leaves)
            {
                tree.Append(leaf);
            }
            if (leaves.Count < Page)
            {
                return;
            }
        }
    }

    private void Refuse(string? problem)
    {
        if (problem is not null && refusal is null)
        {
            refusal = problem;
            NodeLog.CheckpointRefused(logger, problem);
        }
    }

    /// <summary>Why the stored log must not be signed (see the remarks), or null: the tree matches the largest stored checkpoint and the entries after it match their leaf hashes.</summary>
    private async Task<string?> StoredLogProblemAsync(CancellationToken cancellationToken)
    {
        var note = await store.ReadLatestCheckpointAsync(cancellationToken).ConfigureAwait(false);
        var signed = 0L;
        if (note is not null)
        {
            if (!Checkpoint.TryParse(note, out var latest))
            {
                return "the largest stored checkpoint is not a well-formed checkpoint note";
            }
            if (tree.Size < latest.Size)
            {
                return Invariant($"the log holds {tree.Size} entries, fewer than the {latest.Size} of the checkpoint signed before");
            }
            var root = tree.RootAt(latest.Size);
            if (!CryptographicOperations.FixedTimeEquals(root, latest.RootHash))
            {
                return Invariant($"entries #1..#{latest.Size} give root {Convert.ToHexStringLower(root)}, not the root {Convert.ToHexStringLower(latest.RootHash)} signed before at that size (an entry and its leaf hash were changed)");
            }
            signed = latest.Size;
        }
        var check = new UnsignedEntries(signed + 1, tree.Size);
        while (check.Next <= tree.Size && check.Problem is null)
        {
            var (count, _) = await store.ScanLogBytesAsync(check.Next, Page, check, cancellationToken).ConfigureAwait(false);
            if (count == 0)
            {
                break;
            }
        }
        return check.Problem;
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    /// <summary>Recomputes the leaf hashes of entries #from..#last from their stored fields; keeps the first mismatch.</summary>
    private sealed class UnsignedEntries(long from, long last) : ILogEntryBytesVisitor
    {
        public long Next { get; private set; } = from;

        public string? Problem { get; private set; }

        public bool Visit(long index, LogEntryBytesWriter? entry, ReadOnlySpan<byte> storedLeafHash)
        {
            if (index > last)
            {
                return false;
            }
            Span<byte> leaf = stackalloc byte[MerkleTree.HashSize];
            Problem = LogVerifier.CheckEntry(index, Next, entry, storedLeafHash, leaf);
            Next++;
            return Problem is null && Next <= last;
        }
    }

    /// <summary>The latest checkpoint signed since start (the tree's size and root), or null before the first.</summary>
    public async Task<(long Size, string Note)?> LatestAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return latestNote is null ? null : (signedSize, latestNote);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// C2SP tlog-tiles §Merkle Tree: the hashes of a tile, or null when the latest checkpoint does not cover it
    /// (its width is more than the tile has at the signed size). The tree is exactly the signed size here.
    /// </summary>
    public async Task<byte[]?> ReadHashTileAsync(TilePath tile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tile);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (latestNote is null || tile.IsEntries || tile.Width > TilePath.WidthAt(tile.Level, tile.Index, signedSize))
            {
                return null;
            }
            // A level-L tile lists the roots of the perfect subtrees of 256^L leaves: tree level 8·L.
            var bytes = new byte[tile.Width * MerkleTree.HashSize];
            for (var i = 0; i < tile.Width; i++)
            {
                tree.PerfectSubtree(TilePath.Height * tile.Level, (tile.Index * TilePath.FullWidth) + i).CopyTo(bytes, i * MerkleTree.HashSize);
            }
            return bytes;
        }
        finally
        {
            gate.Release();
        }
    }

    public override void Dispose()
    {
        gate.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, node.Configuration.SharingLog.CheckpointSeconds));
        using var timer = new PeriodicTimer(interval, node.Time);
        try
        {
            do
            {
                try
                {
                    await CheckpointAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // A store that cannot be read or written now (disk full, an I/O error) must not stop the node: a faulted
                    // background service stops the host. The next interval tries again.
                    NodeLog.BackgroundWorkFailed(logger, "Signing a checkpoint of the sharing log", interval.TotalSeconds, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
