using System.Text.Json.Nodes;
using ChainGateway.Contracts.V1;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using ChainGateway.Node.Tests.Match;
using Microsoft.Extensions.Time.Testing;

namespace ChainGateway.Node.Tests.Cases;

/// <summary>
/// What a caseworker sees about a subject ends with the rule's retention, not with the next purge (an hour later by
/// default, or never while it keeps failing): the case overview at both ends, and the signals linked to the subject.
/// </summary>
public sealed class RetentionViewTests
{
    [Fact]
    public async Task ProximityAlertPastItsThirtyDays_IsInNoOverview_AndLinkedToNobody_BeforeThePurgeRuns()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create("politie", "reclassering");
        // The purge runs at start and then only every 40 days: on day 31 it has not run again, so what the test sees is the
        // views' own retention check.
        await StartBothAsync(federation, clock, purgeDays: 40);
        using var reclassering = federation.Client("reclassering", clock);
        using var politie = federation.Client("politie", clock);
        await politie.RegisterAsync(MatchCalls.Bsn(ChainSignals.Suspect));
        var id = await DeliveredAlertAsync(reclassering);
        var suspect = new SubjectRef { Bsn = ChainSignals.Suspect };

        Assert.Single((await Overview(politie, suspect)).ProximityAlerts);
        Assert.Single((await Overview(reclassering, suspect)).ProximityAlerts);
        Assert.Equal(id, Assert.Single((await Linked(politie)).Signals).MessageId);

        clock.Advance(TimeSpan.FromDays(31));
        using var laterAtPolitie = federation.Client("politie", clock);
        using var laterAtReclassering = federation.Client("reclassering", clock);

        Assert.Empty((await Overview(laterAtPolitie, suspect)).ProximityAlerts);
        Assert.Empty((await Overview(laterAtReclassering, suspect)).ProximityAlerts);
        Assert.Empty((await Linked(laterAtPolitie)).Signals);
    }

    [Fact]
    public async Task ASignalPastItsRetention_IsNotStreamedToTheCaseSystem_EvenUnacknowledgedAndNotYetPurged()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create("politie", "reclassering");
        var started = await StartBothAsync(federation, clock, purgeDays: 40);
        using var reclassering = federation.Client("reclassering", clock);
        var expired = await DeliveredAlertAsync(reclassering);

        clock.Advance(TimeSpan.FromDays(31));
        using var later = federation.Client("reclassering", clock);
        var alert = ChainSignals.Proximity();
        alert.ProximityAlert.DetectedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(clock.GetUtcNow().AddSeconds(-5));
        var fresh = await DeliveredAlertAsync(later, alert);

        // The 30-day-old alert was never acknowledged and its body is still stored (no purge since the start)...
        Assert.Contains(await started["politie"].Store.GetUnacknowledgedAsync(0, 10, default), r => r.MessageId == Guid.Parse(expired));
        // ...but the stream hands out the fresh one first: the expired one is not handed out at all.
        using var politie = federation.Client("politie", clock);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var call = politie.Api.Subscribe(new SubscribeRequest(), politie.Headers, cancellationToken: cancel.Token);
        Assert.True(await call.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(fresh, call.ResponseStream.Current.MessageId);
    }

    [Fact]
    public async Task ASignalTheCaseSystemNeverAcknowledged_IsPurgedAtItsEnd_WithAWarning_AndAnEntryThatSaysSo()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create("politie", "reclassering");
        // The purge runs at start and then once a day on the shared fake clock.
        var started = await StartBothAsync(federation, clock, purgeDays: 1);
        using var reclassering = federation.Client("reclassering", clock);
        var id = await DeliveredAlertAsync(reclassering);

        clock.Advance(TimeSpan.FromDays(31));

        await federation.Logs.WaitForAsync(e => e.EventId.Name == "PurgedUnacknowledged" && e.Message.Contains("for 1 received", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        var purged = Assert.Single((await started["politie"].Store.ReadLogAsync(0, 100, default)), e => e.Event == Core.SharingLog.LogEvent.Purged);
        Assert.Equal(Guid.Parse(id), purged.MessageId);
        Assert.Contains("before the organisation's systems acknowledged it", purged.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANodeStartedWithAnAgreementThatShortensARulesRetention_ShortensWhatItStoredUnderIt()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create("politie", "reclassering");
        var politie = await federation.StartAsync("politie", clock);
        await federation.StartAsync("reclassering", clock);
        using var reclassering = federation.Client("reclassering", clock);
        var id = await DeliveredAlertAsync(reclassering);
        // As if it had been stored under an earlier agreement that kept it 400 days longer: the store's ends are pushed out
        // and it forgets which agreement it applied, then the node starts again with the agreement in force (30 days).
        await federation.StopAsync(politie);
        var path = federation.Configuration("politie").Resolve(federation.Configuration("politie").Store.Path);
        var kept = RetentionSpan(path);
        Assert.Equal(TimeSpan.FromDays(30), kept);
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var edit = connection.CreateCommand();
            edit.CommandText = $"UPDATE inbox SET retain_until = retain_until + {400L * 86_400_000}; DELETE FROM retention_applied;";
            Assert.Equal(2, edit.ExecuteNonQuery());
        }
        Assert.Equal(TimeSpan.FromDays(430), RetentionSpan(path));
        politie = await federation.StartAsync("politie", clock);
        await federation.StopAsync(politie);

        Assert.Contains(federation.Logs.Events, e => e.EventId.Name == "RetentionShortened" && e.Message.Contains("gives 1 stored", StringComparison.Ordinal));
        Assert.Equal(kept, RetentionSpan(path));
    }

    /// <summary>The one received signal's retention, from when it was received, as the store holds it.</summary>
    private static TimeSpan RetentionSpan(string storePath)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={storePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT retain_until - received_at FROM inbox";
        return TimeSpan.FromMilliseconds((long)read.ExecuteScalar()!);
    }

    [Fact]
    public async Task AnIntervalBeyondWhatATimerTakes_IsAConfigurationProblem_NotANodeThatStopsAtStart()
    {
        await using var federation = TestFederation.Create("politie");
        federation.EditNodeConfiguration("politie", json => json["sharingLog"] = new JsonObject { ["purgeSeconds"] = 365 * 24 * 3600 });

        var error = await Assert.ThrowsAsync<Configuration.NodeConfigurationException>(() => federation.StartAsync("politie"));

        Assert.Contains(error.Problems, p => p.StartsWith("sharingLog.purgeSeconds: 31536000 s", StringComparison.Ordinal));
    }

    /// <summary>Starts politie and reclassering on <paramref name="clock"/>, purging at start and then every <paramref name="purgeDays"/>.</summary>
    private static async Task<Dictionary<string, ChainNode>> StartBothAsync(TestFederation federation, FakeTimeProvider clock, int purgeDays)
    {
        var started = new Dictionary<string, ChainNode>(StringComparer.Ordinal);
        foreach (var organisation in new[] { "politie", "reclassering" })
        {
            federation.EditNodeConfiguration(organisation, json => json["sharingLog"] = new JsonObject { ["purgeSeconds"] = purgeDays * 24 * 3600 });
            started[organisation] = await federation.StartAsync(organisation, clock);
        }
        return started;
    }

    /// <summary>reclassering's ProximityAlert to politie (30 days' retention), delivered; its message id.</summary>
    private static async Task<string> DeliveredAlertAsync(LocalClient reclassering, Signal? alert = null)
    {
        var id = (await reclassering.SendAsync("protection-order-enforcement", alert ?? ChainSignals.Proximity(), "politie")).Envelopes[0].MessageId;
        Assert.Equal(DeliveryState.Delivered, (await reclassering.WaitForFinalStateAsync(id)).State);
        return id;
    }

    private static async Task<CaseOverview> Overview(LocalClient client, SubjectRef subject) =>
        await client.Api.GetCaseOverviewAsync(new CaseOverviewRequest { Subject = subject }, client.Headers);

    private static async Task<SubjectSignalsResponse> Linked(LocalClient client) =>
        await client.Api.GetSubjectSignalsAsync(new SubjectSignalsRequest { Subject = MatchCalls.Bsn(ChainSignals.Suspect) }, client.Headers);
}
