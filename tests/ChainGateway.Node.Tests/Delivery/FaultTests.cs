using System.Text.Json.Nodes;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Federation;
using ChainGateway.Core.Rules;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace ChainGateway.Node.Tests.Delivery;

/// <summary>DESIGN.md §8 under faults: a partner down and back, a permanent refusal, a receiver whose store fails.</summary>
public sealed class FaultTests
{
    private static async Task SetDeliveryAsync(TestFederation federation, string organisation, int maxInFlight)
    {
        var file = Path.Combine(federation.ConfigDirectory(organisation), "node.json");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        json["delivery"] = new JsonObject { ["maxInFlight"] = maxInFlight, ["maxBackoffSeconds"] = 2 };
        await File.WriteAllTextAsync(file, json.ToJsonString());
    }

    [Fact]
    public async Task PartnerDownThenBack_GetsEverything_UrgentFirstThenByAge()
    {
        await using var federation = TestFederation.Create();
        await SetDeliveryAsync(federation, "politie", maxInFlight: 1);
        await federation.StartAsync("politie");
        using var sender = federation.Client("politie");

        var routine = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            routine.Add((await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId);
        }
        var urgent = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var request = new SendRequest { Purpose = "risk-assessment", Signal = Signals.StalkingReported(), Priority = Priority.Urgent, Recipients = { "om" } };
            urgent.Add((await sender.Api.SendAsync(request, sender.Headers)).Envelopes[0].MessageId);
        }
        // om is down: the envelopes wait, queued, and the failed attempts are logged. Two failures: the first attempts of
        // both lanes (urgent and routine) have ended, so none is still retrying when om comes back.
        await federation.Logs.WaitForAsync(_ => federation.Logs.Events.Count(e => e.EventId.Name == "DeliveryRetry") >= 2, TimeSpan.FromSeconds(30));
        Assert.Equal(DeliveryState.Queued, (await sender.WaitForFinalStateAsync(routine[0], 0)).State);

        var om = await federation.StartAsync("om");
        foreach (var id in urgent.Concat(routine))
        {
            Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);
        }
        var arrived = (await om.Store.GetUnacknowledgedAsync(0, 100, default)).OrderBy(r => r.Sequence).Select(r => r.MessageId.ToString()).ToList();
        Assert.Equal(urgent.Concat(routine), arrived);
    }

    [Fact]
    public async Task PermanentRefusal_EndsAsDeadLetter_LoggedAndVisibleToTheOperator()
    {
        await using var federation = TestFederation.Create();
        // om runs under another version of the agreement, signed by every party: politie's envelopes are refused for good.
        await UseOtherAgreementAsync(federation, "om");
        var politie = await federation.StartAsync("politie");
        await federation.StartAsync("om");
        using var sender = federation.Client("politie");
        using var watch = sender.Api.WatchDeliveries(new WatchDeliveriesRequest(), sender.Headers);
        await watch.ResponseHeadersAsync;

        var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        var status = await sender.WaitForFinalStateAsync(id);
        Assert.Equal(DeliveryState.DeadLetter, status.State);
        Assert.StartsWith("AGREEMENT_MISMATCH", status.LastError, StringComparison.Ordinal);
        // A watcher of deliveries hears of it as well, with the same reason.
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            Assert.True(await watch.ResponseStream.MoveNext(timeout.Token));
        }
        Assert.Equal(id, watch.ResponseStream.Current.MessageId);
        Assert.Equal(DeliveryState.DeadLetter, watch.ResponseStream.Current.State);
        Assert.Equal(status.LastError, watch.ResponseStream.Current.LastError);

        var log = await politie.Store.ReadLogAsync(0, 100, default);
        Assert.Contains(log, e => e.Event == LogEvent.DeadLettered && e.MessageId == Guid.Parse(id) && e.ReasonCode == "AGREEMENT_MISMATCH");
        using var operatorClient = federation.Client("politie", "operator");
        var outbox = await operatorClient.Api.GetOutboxAsync(new OutboxRequest(), operatorClient.Headers);
        Assert.Contains(outbox.DeadLetters, d => d.MessageId == id && d.Recipient == "om");
        Assert.Contains(outbox.Counts, c => c.Partner == "om" && c.State == DeliveryState.DeadLetter && c.Count == 1);
    }

    [Fact]
    public async Task EnvelopeLargerThanThePartnersTransportReads_IsADeadLetter_TooLarge_NotRetriedUntilItExpires()
    {
        await using var federation = TestFederation.Create();
        // om reads at most 2 × 200 bytes per message: politie's envelopes (~400-500 bytes) are refused by its transport,
        // before its service could answer TOO_LARGE with a reason.
        federation.EditNodeConfiguration("om", json => json["limits"] = new JsonObject { ["maxEnvelopeBytes"] = 200 });
        var politie = await federation.StartAsync("politie");
        await federation.StartAsync("om");
        using var sender = federation.Client("politie");

        var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;

        var status = await sender.WaitForFinalStateAsync(id);
        Assert.Equal(DeliveryState.DeadLetter, status.State);
        Assert.StartsWith("TOO_LARGE", status.LastError, StringComparison.Ordinal);
        Assert.Equal(1u, status.Attempts);
        Assert.Contains(await politie.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.DeadLettered && e.ReasonCode == "TOO_LARGE");
    }

    [Fact]
    public async Task ReceiverStoreFailure_EnvelopeIsNotAcknowledged_SenderRetries_NothingHalfWritten()
    {
        await using var federation = TestFederation.Create();
        await SetDeliveryAsync(federation, "politie", maxInFlight: 1);
        var politie = await federation.StartAsync("politie");
        var om = await federation.StartAsync("om");
        await om.Store.SimulateStoreFailureAsync(true);
        using var sender = federation.Client("politie");

        var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        await federation.Logs.WaitForAsync(e => e.EventId.Name == "DeliveryRetry" && e.Message.Contains(id, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Empty(await om.Store.GetUnacknowledgedAsync(0, 10, default));
        Assert.DoesNotContain(await om.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Received);

        await om.Store.SimulateStoreFailureAsync(false);
        Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);
        Assert.Single(await om.Store.GetUnacknowledgedAsync(0, 10, default), r => r.MessageId == Guid.Parse(id));
        Assert.Single(await om.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Received && e.MessageId == Guid.Parse(id));
        Assert.Single(await politie.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Delivered && e.MessageId == Guid.Parse(id));
    }

    [Fact]
    public async Task StoreFailure_DuringRetentionAndCheckpoints_IsLogged_AndTheNodeKeepsServing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create();
        var om = await federation.StartAsync("om", clock);
        await federation.StartAsync("politie", clock);
        var lifetime = om.Services.GetRequiredService<IHostApplicationLifetime>();

        // A signal received, so there is a log entry to sign; then the store fails when retention and checkpointing run (an
        // hour on): both are logged, and neither stops the node (a background service that throws stops the host).
        using var sender = federation.Client("politie", clock);
        var first = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(first)).State);
        await om.Store.SimulateStoreFailureAsync(true);
        clock.Advance(TimeSpan.FromSeconds(om.Context.Configuration.SharingLog.PurgeSeconds + 1));
        await federation.Logs.WaitForAsync(e => e.EventId.Name == "BackgroundWorkFailed" && e.Message.StartsWith("Retention", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        await federation.Logs.WaitForAsync(e => e.EventId.Name == "BackgroundWorkFailed" && e.Message.StartsWith("Signing a checkpoint", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);

        // The store is back: the node still receives and acknowledges.
        await om.Store.SimulateStoreFailureAsync(false);
        var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);
    }

    private static async Task UseOtherAgreementAsync(TestFederation federation, string organisation)
    {
        var agreement = Agreement.Parse(await File.ReadAllTextAsync(Path.Combine(federation.Directory, "agreement.json")));
        var other = agreement with { Title = agreement.Title + " (other version)", Version = agreement.Version + 1 };
        var json = System.Text.Encoding.UTF8.GetString(other.CanonicalBytes());
        var keys = agreement.Parties.Select(p => OrganisationKeys.Load(Path.Combine(federation.ConfigDirectory(p), "keys.json"))).ToList();
        try
        {
            var dir = federation.ConfigDirectory(organisation);
            await File.WriteAllTextAsync(Path.Combine(dir, "agreement-v2.json"), json);
            await File.WriteAllTextAsync(Path.Combine(dir, "agreement-v2.signatures.json"),
                AgreementSignatures.Create(other, keys.Select(k => (k.Organisation, k.SigningKeyId, k.Signing))));
            var file = Path.Combine(dir, "node.json");
            var node = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
            node["agreement"] = "agreement-v2.json";
            node["agreementSignatures"] = "agreement-v2.signatures.json";
            await File.WriteAllTextAsync(file, node.ToJsonString());
        }
        finally
        {
            keys.ForEach(k => k.Dispose());
        }
    }
}
