using ChainGateway.Core.Federation;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChainGateway.Node.Hosting;

/// <summary>
/// Tells the operator about the node's own keys (<see cref="OwnKeyWindows"/>): in the log at start and twice a day
/// (OwnKeyExpiring 1016, OwnKeyNotValid 1017), in the gRPC health check "keys" (degraded while a rotation is due, not
/// serving once the signing or every envelope key is out of its window: the node can then exchange nothing), and in
/// <c>chaingw status</c>.
/// </summary>
internal sealed class OwnKeyMonitor(NodeContext node, ILogger<OwnKeyMonitor> logger) : BackgroundService, IHealthCheck
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(12);

    public IReadOnlyList<OwnKeyNotice> Notices() => OwnKeyWindows.Check(node.Keys, node.TrustList, node.Time.GetUtcNow());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var notice in Notices())
            {
                if (notice.Expired)
                {
                    NodeLog.OwnKeyNotValid(logger, notice.Message);
                }
                else
                {
                    NodeLog.OwnKeyExpiring(logger, notice.Message);
                }
            }
            try
            {
                await Task.Delay(Interval, node.Time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var notices = Notices();
        var description = string.Join("; ", notices.Select(n => n.Message));
        var result = notices.Any(n => n.Expired && n.Use is KeyUse.Signing or KeyUse.Envelope) ? HealthCheckResult.Unhealthy(description)
            : notices.Count > 0 ? HealthCheckResult.Degraded(description)
            : HealthCheckResult.Healthy();
        return Task.FromResult(result);
    }
}
