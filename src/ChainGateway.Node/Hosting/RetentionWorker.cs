using ChainGateway.Core.Delivery;

namespace ChainGateway.Node.Hosting;

/// <summary>
/// Retention (DESIGN.md §5): deletes received signal bodies once their rule's retention ended, at start and then at an
/// interval; each purge is itself a sharing-log entry, and log entries are never deleted. A failed run (disk full, an
/// I/O error) is logged and tried again at the next interval: it must neither stop the node (a faulted background
/// service stops the host) nor end retention for good.
/// </summary>
internal sealed class RetentionWorker(NodeContext node, INodeStore store, ILogger<RetentionWorker> logger) : BackgroundService
{
    // Owed at start too: a node stopped between a purge and its scrub would otherwise keep the purged pages in its log.
    private bool scrubOwed = true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, node.Configuration.SharingLog.PurgeSeconds));
        using var timer = new PeriodicTimer(interval, node.Time);
        try
        {
            do
            {
                try
                {
                    await PurgeAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    NodeLog.BackgroundWorkFailed(logger, "Retention", interval.TotalSeconds, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PurgeAsync(CancellationToken stoppingToken)
    {
        PurgeResult purged;
        do
        {
            purged = await store.PurgeExpiredAsync(node.Time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
            // Owed from the first committed purge on, so that a failure before the scrub (or of the scrub) leaves it owed.
            scrubOwed |= purged.Rows > 0;
            if (purged.Signals > 0)
            {
                NodeLog.Purged(logger, purged.Signals);
            }
            if (purged.Unacknowledged > 0)
            {
                NodeLog.PurgedUnacknowledged(logger, purged.Unacknowledged);
            }
        }
        // Until nothing is left: a call takes at most 1,000 bodies and 1,000 overview copies, and the copies of received
        // signals may outlast their bodies' batch (they are counted in Rows, not in Signals).
        while (purged.Rows > 0 && !stoppingToken.IsCancellationRequested);
        if (scrubOwed)
        {
            scrubOwed = !await store.ScrubAsync(stoppingToken).ConfigureAwait(false);
            if (scrubOwed)
            {
                NodeLog.ScrubIncomplete(logger, node.Configuration.SharingLog.PurgeSeconds);
            }
        }
    }
}
