using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ChainGateway.Node.Telemetry;

/// <summary>
/// The one ActivitySource and the one Meter named <c>ChainGateway</c> (STYLE.md). Spans: <c>chaingateway.send</c> at
/// the sender, <c>chaingateway.receive</c> at the receiver as a child of the sender's span (its traceparent travels
/// in the signed envelope header), so one trace shows an exchange across two organisations; the sharing log records
/// the trace and span ids of both sides (Logboek Dataverwerkingen).
/// </summary>
public static class ChainGatewayTelemetry
{
    public const string Name = "ChainGateway";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> SignalsSent = Meter.CreateCounter<long>("chaingateway.signals.sent", description: "Envelopes sealed and queued");

    public static readonly Counter<long> SignalsReceived = Meter.CreateCounter<long>("chaingateway.signals.received", description: "Envelopes accepted from partners");

    public static readonly Counter<long> SignalsDelivered = Meter.CreateCounter<long>("chaingateway.signals.delivered", description: "Envelopes delivered with a verified receipt");

    public static readonly Counter<long> Refusals = Meter.CreateCounter<long>("chaingateway.refusals", description: "Refused requests and envelopes, by reason code");

    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("chaingateway.dead_letters", description: "Envelopes that can never be delivered");

    public static readonly Counter<long> WitnessRefusals = Meter.CreateCounter<long>("chaingateway.witness.refusals", description: "Partner checkpoints this node refused to cosign (operator alert: a forked or rewritten log), by partner and reason");

    public static readonly Counter<long> Cosignatures = Meter.CreateCounter<long>("chaingateway.witness.cosignatures", description: "Partner checkpoints this node cosigned");
}
