using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;

namespace ChainGateway.Node.Hosting;

/// <summary>
/// Keeps the sharing log's Merkle tree (RFC 9162) in step with the store and signs a C2SP tlog-checkpoint at an
/// interval (and on demand) with the node's Ed25519 key, origin and key name <c>chaingateway/&lt;org&gt;</c>.
/// </summary>
public sealed class SharingLogCheckpoints(NodeContext node, INodeStore store, ILogger<SharingLogCheckpoints> logger) : BackgroundService
{
    private const int Page = 10_000;
    private readonly MerkleTree tree = new();
    private readonly SemaphoreSlim gate = new(1, 1);
    private long signedSize = -1;
    private string? latestNote;

    public string Origin => Checkpoint.OriginFor(node.Organisation);

    /// <summary>Catches up with the store and signs a checkpoint if the log grew; returns the latest note, if any.</summary>
    public async Task<string?> CheckpointAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
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
                    break;
                }
            }
            if (tree.Size == signedSize)
            {
                return null;
            }
            var root = tree.Root();
            var note = Checkpoint.Sign(Origin, tree.Size, root, Origin, node.Keys.Signing);
            await store.AppendCheckpointAsync(tree.Size, root, note, node.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            signedSize = tree.Size;
            latestNote = note;
            NodeLog.CheckpointSigned(logger, tree.Size, Convert.ToHexStringLower(root));
            return note;
        }
        finally
        {
            gate.Release();
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
