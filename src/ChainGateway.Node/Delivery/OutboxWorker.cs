using ChainGateway.Core.Delivery;
using ChainGateway.Node.Hosting;

namespace ChainGateway.Node.Delivery;

/// <summary>
/// Runs one <see cref="PartnerQueue"/> per partner of the trust list (DESIGN.md §8): a partner that is down delays
/// only its own envelopes.
/// </summary>
internal sealed class OutboxWorker(NodeContext node, IServiceProvider services) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // This organisation has a queue too: a rule may name it as a recipient (the imposer's own MeasureExpiring),
        // delivered through its own peer endpoint like any other, with receipt and log entries.
        var queues = node.TrustList.Partners
            .Select(p => ActivatorUtilities.CreateInstance<PartnerQueue>(services, p.Id))
            .ToList();
        return Task.WhenAll(queues.Select(q => q.RunAsync(stoppingToken)));
    }
}
