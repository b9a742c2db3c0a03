using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Telemetry;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using ChainGateway.Node.Tests.Match;
using Grpc.Core;

namespace ChainGateway.Node.Tests.Telemetry;

/// <summary>The meter's one process-wide: these tests run alone, so that every measurement they see is their nodes'.</summary>
[CollectionDefinition(nameof(ProcessWideMeter), DisableParallelization = true)]
public sealed class ProcessWideMeter;

/// <summary>
/// The stage durations an operator reads (docs/operations.md): one signal through two nodes records each stage once,
/// with the tags that tell partners, lanes and outcomes apart.
/// </summary>
[Collection(nameof(ProcessWideMeter))]
public sealed class StageDurationTests : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentQueue<Measurement> measurements = new();

    public StageDurationTests()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ChainGatewayTelemetry.Name && instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measurements.Enqueue(new(instrument.Name, value, Tags(tags))));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => measurements.Enqueue(new(instrument.Name, value, Tags(tags))));
        listener.Start();
    }

    public void Dispose() => listener.Dispose();

    [Fact]
    public async Task OneSignal_RecordsEachStageOnce_WithPartnerLaneAndOutcome()
    {
        await using var federation = TestFederation.Create();
        await federation.StartAsync("om");
        await federation.StartAsync("politie");
        using var sender = federation.Client("politie");
        var warmUp = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(warmUp)).State);
        measurements.Clear();

        var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);

        var send = Assert.Single(Of("chaingateway.send.duration"));
        Assert.Equal("routine", send.Tags["priority"]);
        var attempt = Assert.Single(Of("chaingateway.delivery.attempt.duration"));
        Assert.Equal(("om", "ok"), (attempt.Tags["partner"], attempt.Tags["outcome"]));
        var received = Assert.Single(Of("chaingateway.receive.duration"));
        Assert.Equal(("politie", "accepted"), (received.Tags["partner"], received.Tags["outcome"]));
        var delivery = Assert.Single(Of("chaingateway.delivery.duration"));
        Assert.Equal(("om", "routine"), (delivery.Tags["partner"], delivery.Tags["priority"]));
        // The stages nest: the receiver's handling inside the attempt, the attempt inside the whole delivery.
        Assert.True(received.Value < attempt.Value, $"receive {received.Value} s, attempt {attempt.Value} s");
        Assert.True(attempt.Value <= delivery.Value + 0.002, $"attempt {attempt.Value} s, delivery {delivery.Value} s");
        Assert.All(measurements, m => Assert.InRange(m.Value, 0, 60));

        // Three durable writes: the sender's enqueue, the receiver's acceptance, the sender's delivered mark; each committed.
        var writes = Of("chaingateway.store.write.duration").ToList();
        Assert.True(writes.Count >= 3, $"{writes.Count} writes");
        Assert.All(writes, w => Assert.Equal("routine", w.Tags["priority"]));
        Assert.True(Of("chaingateway.store.commit.duration").Count() >= 3);
        Assert.True(Of("chaingateway.store.batch.size").Sum(b => b.Value) >= 3);
    }

    [Fact]
    public async Task UrgentSignal_IsTaggedUrgent_AndARefusedDelivery_IsTaggedRefused()
    {
        await using var federation = TestFederation.Create();
        var om = await federation.StartAsync("om");
        await federation.StartAsync("politie");
        using var sender = federation.Client("politie");
        var request = new SendRequest { Purpose = "risk-assessment", Signal = Signals.StalkingReported(), Priority = Priority.Urgent, Recipients = { "om" } };
        var id = (await sender.Api.SendAsync(request, sender.Headers)).Envelopes[0].MessageId;
        Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);
        Assert.Contains(Of("chaingateway.send.duration"), m => m.Tags["priority"] == "urgent");
        Assert.Contains(Of("chaingateway.delivery.duration"), m => m.Tags["priority"] == "urgent");
        Assert.True(Of("chaingateway.store.write.duration").Count(m => m.Tags["priority"] == "urgent") >= 3);

        // An envelope whose signature does not verify: refused, and the refusal's handling is measured as such.
        using var politie = NodeContext.Load(federation.Configuration("politie"), TimeProvider.System);
        var peer = HandBuilt.PeerClient(om.Context.Configuration.Peer.Listen, politie.TlsCertificate, politie.FederationCa, out var channel);
        using (channel)
        {
            var envelope = HandBuilt.Envelope(politie, "om", "politie-stalking-report", "risk-assessment", Signals.StalkingReported());
            var tampered = HandBuilt.Flip(envelope, e => e.Signature, (e, b) => e.Signature = b, 10);
            await Assert.ThrowsAsync<RpcException>(() => peer.DeliverAsync(tampered).ResponseAsync);
        }
        Assert.Contains(Of("chaingateway.receive.duration"), m => m.Tags["partner"] == "politie" && m.Tags["outcome"] == "refused");
    }

    [Fact]
    public async Task AMatch_RecordsTheAskerAndTheAnswerer_OnceEach_TheAnswerInsideTheQuestion()
    {
        await using var federation = TestFederation.CreateWithAgreement(MatchAgreement.Json, MatchAgreement.Organisations);
        await federation.StartAsync("politie");
        await federation.StartAsync("om");
        using var omClient = federation.Client("om");
        await omClient.RegisterAsync(MatchCalls.Bsn(HandBuilt.Bsn), new SubjectRef { LocalId = "OM-2026-17" });
        using var asker = federation.Client("politie");
        Assert.True(Assert.Single((await asker.MatchAsync(MatchCalls.Bsn(HandBuilt.Bsn), "case-direction", "om")).Results).Hit);
        measurements.Clear();

        Assert.False(Assert.Single((await asker.MatchAsync(MatchCalls.Bsn("111222333"), "case-direction", "om")).Results).Hit);

        var matches = Of("chaingateway.match.duration").ToList();
        var asked = Assert.Single(matches, m => m.Tags["side"] == "asker");
        var answered = Assert.Single(matches, m => m.Tags["side"] == "answerer");
        Assert.Equal(("om", "no-hit"), (asked.Tags["partner"], asked.Tags["outcome"]));
        Assert.Equal(("politie", "no-hit"), (answered.Tags["partner"], answered.Tags["outcome"]));
        Assert.True(answered.Value < asked.Value, $"answer {answered.Value} s, question {asked.Value} s");
    }

    private IEnumerable<Measurement> Of(string instrument) => measurements.Where(m => m.Instrument == instrument);

    private static Dictionary<string, string?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value?.ToString();
        }
        return result;
    }

    private sealed record Measurement(string Instrument, double Value, Dictionary<string, string?> Tags);
}
