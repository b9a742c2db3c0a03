using System.Collections.Concurrent;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Delivery;
using ChainGateway.Node.Tests.Infrastructure;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;

namespace ChainGateway.Node.Tests.Delivery;

/// <summary>
/// The send pipeline hands each committed envelope to the partner's delivery lane, and the lanes read the outbox from
/// the store as well (at start, on request, for retries): each envelope still goes to the partner once.
/// </summary>
public sealed class HandOverTests
{
    [Fact]
    public async Task EnvelopesHandedOverWhileTheLanesReadTheStore_AreEachDeliveredOnce()
    {
        await using var federation = TestFederation.Create();
        var calls = new DeliverCalls();
        var om = await federation.StartAsync("om", configureServices: services =>
            services.Configure<GrpcServiceOptions>(options => options.Interceptors.Add<CountingInterceptor>(calls)));
        var politie = await federation.StartAsync("politie");
        var trigger = politie.Services.GetRequiredService<OutboxTrigger>();
        using var sender = federation.Client("politie");

        // Every envelope arriving at om asks politie's lanes to read the store: requests to read keep coming while
        // envelopes are committed and handed over.
        calls.Arrived = () => trigger.Notify("om", Priority.Urgent);
        var sent = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            var request = new SendRequest
            {
                Purpose = "risk-assessment",
                Signal = Signals.StalkingReported(),
                Priority = i % 5 == 0 ? Priority.Urgent : Priority.Routine,
                Recipients = { "om" },
            };
            return (await sender.Api.SendAsync(request, sender.Headers)).Envelopes[0].MessageId;
        }));
        foreach (var id in sent)
        {
            var status = await sender.WaitForFinalStateAsync(id);
            Assert.Equal(DeliveryState.Delivered, status.State);
            Assert.False(status.Receipt.IsEmpty);
        }
        calls.Arrived = null;
        // One more of each priority after the others: a lane delivers what was handed over oldest first, so a stale copy
        // of an earlier envelope would have gone out before these.
        foreach (var priority in new[] { Priority.Routine, Priority.Urgent })
        {
            var request = new SendRequest { Purpose = "risk-assessment", Signal = Signals.StalkingReported(), Priority = priority, Recipients = { "om" } };
            var id = (await sender.Api.SendAsync(request, sender.Headers)).Envelopes[0].MessageId;
            Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);
            sent = [.. sent, id];
        }

        Assert.Equal(sent.Order(StringComparer.Ordinal), calls.PerMessage.Keys.Order(StringComparer.Ordinal));
        Assert.All(calls.PerMessage, call => Assert.Equal(1, call.Value));
        Assert.Equal(62, (await om.Store.ReadLogAsync(0, 1000, default)).Count(e => e.Event == LogEvent.Received));
        Assert.Equal(62, (await politie.Store.ReadLogAsync(0, 1000, default)).Count(e => e.Event == LogEvent.Delivered));
    }

    [Fact]
    public void HandOver_KeepsOrderPerLane_AndBeyondItsLimitAsksForAStoreRead()
    {
        using var trigger = new OutboxTrigger();
        var routine = Enumerable.Range(0, OutboxTrigger.HandOffLimit).Select(_ => Envelope(Priority.Routine)).ToList();
        var urgent = Envelope(Priority.Urgent);
        foreach (var item in routine)
        {
            trigger.Committed(item);
        }
        Assert.False(trigger.TakeScanRequest("om", urgent: false));
        Assert.False(trigger.TakeScanRequest("om", urgent: true));

        // One more than the limit is left to the store, and the lanes are told to read it, each lane once.
        trigger.Committed(urgent);
        Assert.True(trigger.TakeScanRequest("om", urgent: true));
        Assert.False(trigger.TakeScanRequest("om", urgent: true));
        Assert.True(trigger.TakeScanRequest("om", urgent: false));
        Assert.False(trigger.TakeScanRequest("om", urgent: false));
        Assert.Empty(trigger.TakeHandedOver("om", urgent: true, 10));

        var first = trigger.TakeHandedOver("om", urgent: false, 10);
        Assert.Equal(routine.Take(10).Select(e => e.MessageId), first.Select(e => e.MessageId));
        Assert.All(first, e => Assert.Null(e.SentEntry));

        // Room again: the next urgent one is handed over, in its own lane.
        trigger.Committed(urgent);
        Assert.Equal(urgent.MessageId, Assert.Single(trigger.TakeHandedOver("om", urgent: true, 10)).MessageId);

        trigger.DropHandedOver("om", urgent: true, routine: true);
        Assert.Empty(trigger.TakeHandedOver("om", urgent: false, 10));
        Assert.Empty(trigger.TakeHandedOver("other", urgent: false, 10));
    }

    private static OutboxEnvelope Envelope(Priority priority)
    {
        var now = DateTimeOffset.UtcNow;
        return new OutboxEnvelope(Guid.CreateVersion7(), "om", (int)priority, [1, 2, 3], new byte[32], now, now.AddHours(1), 0,
            new LogEntry { Time = now, Event = LogEvent.Sent, Partner = "om", Outcome = "ok" });
    }

    private sealed class DeliverCalls
    {
        public ConcurrentDictionary<string, int> PerMessage { get; } = new(StringComparer.Ordinal);

        /// <summary>Runs as each envelope arrives.</summary>
        public Action? Arrived { get; set; }
    }

    /// <summary>Counts the Deliver calls per message id at the receiver.</summary>
    private sealed class CountingInterceptor(DeliverCalls calls) : Interceptor
    {
        public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
            UnaryServerMethod<TRequest, TResponse> continuation)
        {
            if (request is Contracts.V1.Envelope envelope)
            {
                var id = new Guid(EnvelopeHeader.Parser.ParseFrom(envelope.Header).MessageId.Span, bigEndian: true);
                calls.PerMessage.AddOrUpdate(id.ToString(), 1, (_, n) => n + 1);
                calls.Arrived?.Invoke();
            }
            return continuation(request, context);
        }
    }
}
