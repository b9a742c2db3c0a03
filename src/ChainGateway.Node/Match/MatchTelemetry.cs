using System.Diagnostics.Metrics;
using ChainGateway.Core.Telemetry;

namespace ChainGateway.Node.Match;

/// <summary>Match metrics, on the one Meter 'ChainGateway'.</summary>
internal static class MatchTelemetry
{
    public static readonly Counter<long> Questions = ChainGatewayTelemetry.Meter.CreateCounter<long>("chaingateway.match.questions",
        description: "Match questions asked (side=asker) and answered (side=answerer), by outcome");

    public static readonly Counter<long> Indexed = ChainGatewayTelemetry.Meter.CreateCounter<long>("chaingateway.match.index.indexed",
        description: "Subjects indexed by background builds for a new pseudonym key");
}
