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
        var queues = node.TrustList.Partners
            .Where(p => p.Id != node.Organisation)
            .Select(p => ActivatorUtilities.CreateInstance<PartnerQueue>(services, p.Id))
            .ToList();
        return Task.WhenAll(queues.Select(q => q.RunAsync(stoppingToken)));
    }
}
