using ChainGateway.Contracts.V1;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Delivery;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ChainGateway.Node.Tests.Delivery;

/// <summary>An envelope put back for a retry of its own (here: the partner's receipt did not verify) goes again when its retry falls due.</summary>
public sealed class ReceiptRetryTests
{
    [Fact]
    public async Task ReceiptThatDoesNotVerify_IsRetriedWhenDue_WhileOtherTrafficKeepsTheLaneBusy()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create();
        var tamper = new Tampering();
        var om = await federation.StartAsync("om", configureServices: services =>
            services.Configure<GrpcServiceOptions>(options => options.Interceptors.Add<FirstReceiptTamperer>(tamper)));
        var politie = await federation.StartAsync("politie", clock);
        using var sender = federation.Client("politie", clock);

        var first = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        try
        {
            await federation.Logs.WaitForAsync(e => e.EventId.Name == "DeliveryRetry" && e.Message.Contains(first, StringComparison.Ordinal),
                TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException(string.Join("\n", federation.Logs.Events.Select(e => $"{e.Category} {e.EventId.Name}: {e.Message}")));
        }
        Assert.Equal(1, tamper.Tampered);

        // Routine traffic goes on (each Send wakes the lane with an envelope handed over) and the clock moves on, 4 s in all:
        // less than the lane's idle poll, far more than the retry's backoff (at most 0.5 s after one attempt).
        var state = DeliveryState.Queued;
        for (var step = 0; step < 40 && state != DeliveryState.Delivered; step++)
        {
            var other = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
            Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(other, 10)).State);
            clock.Advance(TimeSpan.FromMilliseconds(100));
            state = (await sender.WaitForFinalStateAsync(first, 0)).State;
        }

        Assert.Equal(DeliveryState.Delivered, state);
        var status = await sender.WaitForFinalStateAsync(first, 0);
        Assert.False(status.Receipt.IsEmpty);
        // om accepted it once; its second Deliver got the original receipt, which verifies.
        Assert.Single(await om.Store.ReadLogAsync(0, 1000, default), e => e.Event == LogEvent.Received && e.MessageId == Guid.Parse(first));
        Assert.Single(await politie.Store.ReadLogAsync(0, 1000, default), e => e.Event == LogEvent.Delivered && e.MessageId == Guid.Parse(first));
    }

    [Fact]
    public async Task OriginalReceipt_SignedByAReceiverKeyThatHasSinceExpired_CountsAsDelivered()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create();
        // om's signing key rotates out in an hour (its successor is not needed here).
        var rotation = clock.GetUtcNow().AddHours(1);
        federation.EditListedKeys("om", "signingKeys", keys =>
        {
            foreach (var key in keys)
            {
                key!["notAfter"] = rotation.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            }
        });
        var (om, id) = await SendWithALostReceiptAsync(federation, clock);

        // The retry comes after that key's window ended (the envelope is still well within its lifetime): the key was valid
        // when om received the envelope, not now.
        clock.SetUtcNow(rotation.AddMinutes(10));

        // The original receipt, signed by that key when it was valid, is the proof of delivery.
        var status = await FinalStatusAsync(federation, clock, id);
        Assert.Equal(DeliveryState.Delivered, status.State);
        Assert.Single(await om.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Received && e.MessageId == Guid.Parse(id));
    }

    [Fact]
    public async Task AnEnvelopeTheReceiverHolds_WhoseReceiptWasLost_IsDeliveredEvenAfterItExpired()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create();
        var (om, id) = await SendWithALostReceiptAsync(federation, clock);

        // The retry falls after the envelope's 72-hour lifetime (the partner was unreachable in between, say). om holds it:
        // its original receipt is the proof of delivery, not an EXPIRED dead letter.
        clock.Advance(TimeSpan.FromHours(73));

        var status = await FinalStatusAsync(federation, clock, id);
        Assert.Equal(DeliveryState.Delivered, status.State);
        Assert.Single(await om.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Received && e.MessageId == Guid.Parse(id));
    }

    [Fact]
    public async Task AnEnvelopeThatExpiresWhileThePartnerIsDown_EndsAsAnExpiredDeadLetter_AfterOneLastAttempt()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create();
        var (om, id) = await SendWithALostReceiptAsync(federation, clock);

        // om goes down before the retry, and stays down past the envelope's 72-hour lifetime: the last attempt finds it
        // unreachable, and the envelope ends as an EXPIRED dead letter (om did accept it, but politie holds no proof of that:
        // reconcile shows the difference).
        await federation.StopAsync(om);
        clock.Advance(TimeSpan.FromHours(73));

        var status = await FinalStatusAsync(federation, clock, id);
        Assert.Equal(DeliveryState.DeadLetter, status.State);
        Assert.StartsWith("EXPIRED: the envelope expired before it could be delivered (the last attempt: ", status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProbeWhoseReceiptDoesNotVerify_IsRetriedAndDelivered_NotLeftClaimed()
    {
        await using var federation = TestFederation.Create();
        await federation.StartAsync("politie");
        using var sender = federation.Client("politie");
        // om is down: three envelopes wait, and om counts as failing.
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId);
        }
        await federation.Logs.WaitForAsync(e => e.EventId.Name == "DeliveryRetry", TimeSpan.FromSeconds(30));

        // om comes back. The first envelope goes alone, as the probe, and its receipt does not verify: it is put back for a
        // retry while the other two go out. Its claim must be let go of too, or it is never tried again.
        await federation.StartAsync("om", configureServices: services =>
            services.Configure<GrpcServiceOptions>(options => options.Interceptors.Add<FirstReceiptTamperer>(new Tampering())));
        foreach (var id in ids)
        {
            Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);
        }
    }

    // A lane that loops starves the test process; the timeout makes that a failure, not a hang.
    [Fact(Timeout = 60_000)]
    public async Task AFailingPartnerWithNothingLeftToDeliver_IsWaitedFor_NotReadInALoop()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create();
        var om = await federation.StartAsync("om", configureServices: services =>
            services.Configure<GrpcServiceOptions>(options => options.Interceptors.Add<FirstReceiptTamperer>(new Tampering())));
        CallCountingStore store = null!;
        var politie = await federation.StartAsync("politie", clock, services => store = CallCountingStore.Around(services));
        using var sender = federation.Client("politie", clock);
        var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        await federation.Logs.WaitForAsync(e => e.EventId.Name == "DeliveryRetry" && e.Message.Contains(id, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        // om goes down and the envelope expires: its last attempt fails, and it is dead-lettered. om counts as failing, and
        // politie has nothing left for it.
        await federation.StopAsync(om);
        clock.Advance(TimeSpan.FromHours(73));
        Assert.Equal(DeliveryState.DeadLetter, (await FinalStatusAsync(federation, clock, id)).State);

        // The partner's backoff ends (at most 300 s): the lane reads once, finds nothing, and waits for news. Each piece of
        // news after that (a notification for om, three here) is one read more, not a loop of them.
        const string Read = nameof(INodeStore.GetDueAsync);
        var before = store.Count(Read);
        // Advanced from a thread of its own: the lane's wait ends inside Advance, and a lane that loops would never give
        // this thread back.
        await Task.Run(() => clock.Advance(TimeSpan.FromMinutes(10)));
        await store.WhenCountAsync(Read, before + 1).WaitAsync(TimeSpan.FromSeconds(30));
        var trigger = politie.Services.GetRequiredService<OutboxTrigger>();
        for (var i = 0; i < 3; i++)
        {
            var count = store.Count(Read);
            trigger.Notify("om");
            await store.WhenCountAsync(Read, count + 1).WaitAsync(TimeSpan.FromSeconds(30));
        }
        // Four wake-ups, and at most one more: the lane's idle poll (every 5 s) may fall in between.
        var reads = store.Count(Read) - before;
        Assert.True(reads <= 5, $"{reads} reads of the outbox for four wake-ups");
    }

    /// <summary>
    /// om, whose first receipt goes out tampered, and politie on <paramref name="clock"/>; politie sends one signal: om accepts
    /// it and signs a receipt, the one politie gets does not verify, so politie puts the envelope back for a retry.
    /// </summary>
    private static async Task<(ChainNode Om, string MessageId)> SendWithALostReceiptAsync(TestFederation federation, FakeTimeProvider clock)
    {
        var om = await federation.StartAsync("om", configureServices: services =>
            services.Configure<GrpcServiceOptions>(options => options.Interceptors.Add<FirstReceiptTamperer>(new Tampering())));
        await federation.StartAsync("politie", clock);
        using var sender = federation.Client("politie", clock);
        var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        await federation.Logs.WaitForAsync(e => e.EventId.Name == "DeliveryRetry" && e.Message.Contains(id, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        return (om, id);
    }

    /// <summary>The message's state once final (or after 30 s), asked with a token valid on <paramref name="clock"/>.</summary>
    private static async Task<DeliveryStatusResponse> FinalStatusAsync(TestFederation federation, FakeTimeProvider clock, string id)
    {
        using var client = federation.Client("politie", clock);
        return await client.Api.GetDeliveryStatusAsync(new DeliveryStatusRequest { MessageId = id, WaitSeconds = 30 }, client.Headers,
            deadline: DateTime.UtcNow.AddSeconds(20));
    }

    private sealed class Tampering
    {
        private int tampered;

        public int Tampered => Volatile.Read(ref tampered);

        /// <summary>True the first time only.</summary>
        public bool Take() => Interlocked.CompareExchange(ref tampered, 1, 0) == 0;
    }

    /// <summary>At the receiver: the first receipt it answers goes out with one bit of its signature flipped.</summary>
    private sealed class FirstReceiptTamperer(Tampering tampering) : Interceptor
    {
        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
            UnaryServerMethod<TRequest, TResponse> continuation)
        {
            var response = await continuation(request, context);
            if (response is Receipt receipt && tampering.Take())
            {
                var signature = receipt.Signature.ToByteArray();
                signature[0] ^= 1;
                return (TResponse)(object)new Receipt { Body = receipt.Body, Signature = ByteString.CopyFrom(signature) };
            }
            return response;
        }
    }
}
