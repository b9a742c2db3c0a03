using ChainGateway.Core.Delivery;

namespace ChainGateway.Node.Hosting;

/// <summary>
/// Retention (DESIGN.md §5): deletes received signal bodies once their rule's retention ended, at start and then at an
/// interval; each purge is itself a sharing-log entry, and log entries are never deleted.
/// </summary>
internal sealed class RetentionWorker(NodeContext node, INodeStore store, ILogger<RetentionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, node.Configuration.SharingLog.PurgeSeconds)), node.Time);
        try
        {
            do
            {
                int purged;
                do
                {
                    purged = await store.PurgeExpiredAsync(node.Time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
                    if (purged > 0)
                    {
                        NodeLog.Purged(logger, purged);
                    }
                }
                while (purged > 0 && !stoppingToken.IsCancellationRequested);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
