using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ChainGateway.Core.Telemetry;

/// <summary>
/// The one ActivitySource and the one Meter named <c>ChainGateway</c> (STYLE.md). Spans: <c>chaingateway.send</c> at
/// the sender, <c>chaingateway.receive</c> at the receiver as a child of the sender's span (its traceparent travels
/// in the signed envelope header), so one trace shows an exchange across two organisations; the sharing log records
/// the trace and span ids of both sides (Logboek Dataverwerkingen). The durations (seconds, OpenTelemetry's unit for
/// time) follow a signal through its stages, so that an operator sees where the time goes: the local Send, the store's
/// writes and commits, each delivery attempt, the whole delivery, and the receiving side (docs/operations.md).
/// </summary>
public static class ChainGatewayTelemetry
{
    public const string Name = "ChainGateway";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>
    /// 1-2-5 steps from 0.1 ms to 5 minutes: fine enough below 10 ms, where a healthy node's stages are, to tell them apart,
    /// and up to a delivery that waited out a partner's outage. (OpenTelemetry's default buckets are meant for milliseconds.)
    /// </summary>
    private static readonly InstrumentAdvice<double> SecondsBuckets = new()
    {
        HistogramBucketBoundaries = [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 300],
    };

    public static readonly Counter<long> SignalsSent = Meter.CreateCounter<long>("chaingateway.signals.sent", description: "Envelopes sealed and queued");

    public static readonly Counter<long> SignalsReceived = Meter.CreateCounter<long>("chaingateway.signals.received", description: "Envelopes accepted from partners");

    public static readonly Counter<long> SignalsDelivered = Meter.CreateCounter<long>("chaingateway.signals.delivered", description: "Envelopes delivered with a verified receipt");

    public static readonly Counter<long> Refusals = Meter.CreateCounter<long>("chaingateway.refusals", description: "Refused requests and envelopes, by reason code");

    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("chaingateway.dead_letters", description: "Envelopes that can never be delivered");

    public static readonly Counter<long> WitnessRefusals = Meter.CreateCounter<long>("chaingateway.witness.refusals", description: "Partner checkpoints this node refused to cosign (operator alert: a forked or rewritten log), by partner and reason");

    public static readonly Counter<long> Cosignatures = Meter.CreateCounter<long>("chaingateway.witness.cosignatures", description: "Partner checkpoints this node cosigned");

    /// <summary>Tags: <c>priority</c>.</summary>
    public static readonly Histogram<double> SendDuration = Meter.CreateHistogram("chaingateway.send.duration", "s",
        "A case system's Send, from the request's checks to its envelopes durably queued (acknowledged)", advice: SecondsBuckets);

    /// <summary>Tags: <c>partner</c>, <c>priority</c>.</summary>
    public static readonly Histogram<double> DeliveryDuration = Meter.CreateHistogram("chaingateway.delivery.duration", "s",
        "An envelope's way from Send acknowledged to the partner's verified receipt stored, with every retry and wait in between", advice: SecondsBuckets);

    /// <summary>Tags: <c>partner</c>, <c>outcome</c> (<c>ok</c>, <c>failed</c>), <c>priority</c>.</summary>
    public static readonly Histogram<double> DeliveryAttemptDuration = Meter.CreateHistogram("chaingateway.delivery.attempt.duration", "s",
        "One Deliver call to a partner: the round trip until its receipt or failure arrives", advice: SecondsBuckets);

    /// <summary>Tags: <c>partner</c> (the sender), <c>outcome</c> (<c>accepted</c>, <c>duplicate</c>, <c>refused</c>), <c>priority</c>.</summary>
    public static readonly Histogram<double> ReceiveDuration = Meter.CreateHistogram("chaingateway.receive.duration", "s",
        "A partner's Deliver at this node: verify, open, rules, inbox and sharing log committed, receipt signed", advice: SecondsBuckets);

    /// <summary>Tags: <c>priority</c>.</summary>
    public static readonly Histogram<double> StoreWriteDuration = Meter.CreateHistogram("chaingateway.store.write.duration", "s",
        "A write to the store, from queued to committed (group commit: the wait for the writer included)", advice: SecondsBuckets);

    public static readonly Histogram<double> StoreCommitDuration = Meter.CreateHistogram("chaingateway.store.commit.duration", "s",
        "One transaction's commit in the store (with synchronous=FULL, the fsync of its log)", advice: SecondsBuckets);

    public static readonly Histogram<int> StoreBatchSize = Meter.CreateHistogram<int>("chaingateway.store.batch.size", "{write}",
        "The writes one transaction of the store's group commit carried", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });

    /// <summary>Tags: <c>side</c> (<c>asker</c>, <c>answerer</c>), <c>partner</c>, <c>outcome</c> (<c>hit</c>, <c>no-hit</c>, or a refusal's reason code).</summary>
    public static readonly Histogram<double> MatchDuration = Meter.CreateHistogram("chaingateway.match.duration", "s",
        "A match question: at the asker from its checks to the partner's verified answer logged; at the answerer from verify to the signed answer, its log entry committed",
        advice: SecondsBuckets);

    /// <summary>The <c>priority</c> tag's value.</summary>
    public static string PriorityTag(bool urgent) => urgent ? "urgent" : "routine";
}
