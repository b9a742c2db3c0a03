using ChainGateway.Core.Delivery;
using ChainGateway.Node.Hosting;

namespace ChainGateway.Node.Delivery;

/// <summary>
/// Runs one <see cref="PartnerQueue"/> per partner of the trust list (DESIGN.md §8): a partner that is down delays
/// only its own envelopes.
/// </summary>
internal sealed class OutboxWorker(NodeContext node, IServiceProvider services, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Deliveries start once this node's endpoints listen: its own queue delivers through its own peer endpoint, and an
        // attempt before that fails and waits out a retry delay (on the node's clock, which a test may hold still).
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        // This organisation has a queue too: a rule may name it as a recipient (the imposer's own MeasureExpiring),
        // delivered through its own peer endpoint like any other, with receipt and log entries.
        var queues = node.TrustList.Partners
            .Select(p => ActivatorUtilities.CreateInstance<PartnerQueue>(services, p.Id))
            .ToList();
        await Task.WhenAll(queues.Select(q => q.RunAsync(stoppingToken))).ConfigureAwait(false);
    }
}
