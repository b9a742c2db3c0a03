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
            NodeLog.CheckpointSigned(logger, tree.Size, Convert.ToHexStringLower(root));
            return note;
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
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, node.Configuration.SharingLog.CheckpointSeconds)), node.Time);
        try
        {
            do
            {
                await CheckpointAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
