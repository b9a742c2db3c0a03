using System.Text.Json.Nodes;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Tests.Infrastructure;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;

namespace ChainGateway.Node.Tests.Delivery;

/// <summary>
/// DESIGN.md §8, priority signals overtake: an urgent envelope is delivered while a wave of routine envelopes to the
/// same partner is still in flight (the partner holds every routine Deliver until the test lets go).
/// </summary>
public sealed class UrgentLaneTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task UrgentEnvelope_IsDeliveredWhileARoutineWaveIsInFlight()
    {
        await using var federation = TestFederation.Create();
        var file = Path.Combine(federation.ConfigDirectory("politie"), "node.json");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        // Long attempts: the held routine deliveries must not time out while the test holds them.
        json["delivery"] = new JsonObject { ["maxInFlight"] = 4, ["attemptTimeoutSeconds"] = 120 };
        await File.WriteAllTextAsync(file, json.ToJsonString());
        var gate = new RoutineGate();
        var om = await federation.StartAsync("om", configureServices: services =>
            services.Configure<GrpcServiceOptions>(options => options.Interceptors.Add<RoutineGateInterceptor>(gate)));
        var politie = await federation.StartAsync("politie");
        using var sender = federation.Client("politie");

        var routine = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            routine.Add((await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId);
        }
        await gate.Held.Task.WaitAsync(Timeout);

        var request = new SendRequest { Purpose = "risk-assessment", Signal = Signals.StalkingReported(), Priority = Priority.Urgent, Recipients = { "om" } };
        var urgent = (await sender.Api.SendAsync(request, sender.Headers)).Envelopes[0].MessageId;
        Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(urgent)).State);
        // The routine wave is still held at om: the urgent envelope did not wait for it.
        Assert.False(gate.Release.Task.IsCompleted);
        Assert.Equal(DeliveryState.Queued, (await sender.WaitForFinalStateAsync(routine[0], 0)).State);

        gate.Release.SetResult();
        foreach (var id in routine)
        {
            Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);
        }
        var arrived = (await om.Store.GetUnacknowledgedAsync(0, 100, default)).OrderBy(r => r.Sequence).Select(r => r.MessageId.ToString()).ToList();
        Assert.Equal(urgent, arrived[0]);
        Assert.Equal(routine.Order(StringComparer.Ordinal), arrived.Skip(1).Order(StringComparer.Ordinal));
        // Each envelope delivered once: one 'delivered' entry each at the sender, one 'received' each at the receiver.
        var sent = await politie.Store.ReadLogAsync(0, 100, default);
        Assert.Equal(4, sent.Count(e => e.Event == LogEvent.Delivered));
        Assert.Single(sent, e => e.Event == LogEvent.Delivered && e.MessageId == Guid.Parse(urgent));
        Assert.Equal(4, (await om.Store.ReadLogAsync(0, 100, default)).Count(e => e.Event == LogEvent.Received));
    }

    private sealed class RoutineGate
    {
        public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Holds every routine Deliver at the receiver until the gate opens; urgent ones pass at once.</summary>
    private sealed class RoutineGateInterceptor(RoutineGate gate) : Interceptor
    {
        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
            UnaryServerMethod<TRequest, TResponse> continuation)
        {
            if (request is Contracts.V1.Envelope envelope && EnvelopeHeader.Parser.ParseFrom(envelope.Header).Priority != Priority.Urgent)
            {
                gate.Held.TrySetResult();
                await gate.Release.Task.WaitAsync(context.CancellationToken).ConfigureAwait(false);
            }
            return await continuation(request, context).ConfigureAwait(false);
        }
    }
}
