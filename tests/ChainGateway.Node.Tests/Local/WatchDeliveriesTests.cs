using ChainGateway.Contracts.V1;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.Errors;
using ChainGateway.Node.Auth;
using ChainGateway.Node.Errors;
using ChainGateway.Node.Local;
using ChainGateway.Node.Tests.Infrastructure;
using Grpc.Core;

namespace ChainGateway.Node.Tests.Local;

/// <summary>WatchDeliveries: the outcome of each sent envelope on one stream, instead of a status call per message.</summary>
public sealed class WatchDeliveriesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Watcher_GetsEachDelivery_WithTheReceiptTheStatusCallReturns()
    {
        await using var federation = TestFederation.Create();
        await federation.StartAsync("om");
        await federation.StartAsync("reclassering");
        await federation.StartAsync("politie");
        using var sender = federation.Client("politie");
        using var watch = sender.Api.WatchDeliveries(new WatchDeliveriesRequest(), sender.Headers);
        // The headers say the stream is watching: nothing sent from here on is missed.
        await watch.ResponseHeadersAsync.WaitAsync(Timeout);

        var sent = new List<SentEnvelope>();
        for (var i = 0; i < 3; i++)
        {
            sent.AddRange((await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes);
        }
        sent.AddRange((await sender.SendAsync("protection-order-enforcement", Signals.RiskAssessed(RiskLevel.High), "reclassering")).Envelopes);

        using var timeout = new CancellationTokenSource(Timeout);
        var outcomes = new List<DeliveryStatusResponse>();
        while (outcomes.Count < sent.Count && await watch.ResponseStream.MoveNext(timeout.Token))
        {
            outcomes.Add(watch.ResponseStream.Current);
        }
        Assert.Equal(sent.Select(s => s.MessageId).Order(StringComparer.Ordinal), outcomes.Select(o => o.MessageId).Order(StringComparer.Ordinal));
        foreach (var outcome in outcomes)
        {
            Assert.Equal(DeliveryState.Delivered, outcome.State);
            Assert.Equal(sent.Single(s => s.MessageId == outcome.MessageId).Recipient, outcome.Recipient);
            var status = await sender.WaitForFinalStateAsync(outcome.MessageId, 0);
            Assert.Equal(status.Receipt, outcome.Receipt);
            Assert.Equal(status.Attempts, outcome.Attempts);
            Assert.False(outcome.Receipt.IsEmpty);
        }
    }

    [Fact]
    public async Task Watching_NeedsTheCaseworkerRole()
    {
        await using var federation = TestFederation.Create();
        await federation.StartAsync("politie");
        using var officer = federation.Client("politie", LocalUser.PrivacyOfficer);
        using var watch = officer.Api.WatchDeliveries(new WatchDeliveriesRequest(), officer.Headers);
        var error = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal(ReasonCode.RoleRequired, ErrorMapping.ReasonOf(error));
    }

    [Fact]
    public async Task AWatcherTooFarBehind_IsEnded_NotSilentlyShortened()
    {
        var notifier = new DeliveryNotifier(watchBuffer: 2);
        using var slow = notifier.Watch();
        using var other = notifier.Watch();
        var statuses = Enumerable.Range(0, 3)
            .Select(_ => new OutboxStatus(Guid.CreateVersion7(), "om", OutboxState.Delivered, 1, null, [1])).ToList();
        notifier.Notify(statuses[0].MessageId, statuses[0]);
        // Recorded by another attempt first: no outcome of its own.
        notifier.Notify(statuses[0].MessageId, null);
        notifier.Notify(statuses[1].MessageId, statuses[1]);

        // The other watcher keeps up.
        var seen = new List<OutboxStatus>();
        await using (var reader = other.ReadAllAsync(CancellationToken.None).GetAsyncEnumerator())
        {
            for (var i = 0; i < 2 && await reader.MoveNextAsync(); i++)
            {
                seen.Add(reader.Current);
            }
            notifier.Notify(statuses[2].MessageId, statuses[2]);
            Assert.True(await reader.MoveNextAsync());
            seen.Add(reader.Current);
        }
        Assert.Equal(statuses, seen);

        // The slow one, its buffer full at the third, gets the two it had and then the end, with why.
        var kept = new List<OutboxStatus>();
        var error = await Assert.ThrowsAsync<WatcherTooSlowException>(async () =>
        {
            await foreach (var status in slow.ReadAllAsync(CancellationToken.None))
            {
                kept.Add(status);
            }
        });
        Assert.Equal(statuses.Take(2), kept);
        Assert.Contains("GetDeliveryStatus", error.Message, StringComparison.Ordinal);
    }
}
