using System.Text.Json.Nodes;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Federation;
using ChainGateway.Core.Rules;
using ChainGateway.Core.SharingLog;
using ChainGateway.Core.Signals;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace ChainGateway.Node.Tests.Cases;

public sealed class MeasureReminderTests
{
    [Fact]
    public async Task MeasureExpiring_FiresExactlyOncePerLeadTime_AcrossRestarts()
    {
        // Both nodes share one fake clock, so envelopes stay within the allowed skew while days pass.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create("politie", "om");
        var om = await federation.StartAsync("om", clock);
        var politie = await federation.StartAsync("politie", clock);
        using var omClient = federation.Client("om", clock);

        // A location ban for 20 days: reminders 14 days before its end (day 6) and 3 days before (day 17), to
        // politie and to om itself (the agreement's measure-expiry-reminder rule).
        var measure = ChainSignals.MeasureImposed(daysValid: 20, time: clock);
        var imposed = await omClient.SendAsync("protection-order-enforcement", measure, "politie");
        Assert.Equal(DeliveryState.Delivered, (await omClient.WaitForFinalStateAsync(imposed.Envelopes[0].MessageId)).State);
        Assert.Empty(await RemindersAt(politie));

        // The node is down when the first reminder falls due: it fires when the node is back.
        await federation.StopAsync(om);
        clock.Advance(TimeSpan.FromDays(6));
        om = await federation.StartAsync("om", clock);
        var first = Assert.Single(await WaitForRemindersAt(politie, 1));
        Assert.Equal(14u, first.DaysLeft);
        Assert.Equal(ChainSignals.Measure, first.MeasureId);
        Assert.Equal(measure.ProtectionMeasureImposed.ValidTo, first.ExpiresOn);
        Assert.Equal(32, first.Subject.Pseudonym.Length);
        Assert.Single(await WaitForRemindersAt(om, 1));

        // A restart does not send it again; the next lead time fires when its day comes.
        await federation.StopAsync(om);
        om = await federation.StartAsync("om", clock);
        await WaitUntilRemindersDeliveredAsync(om, omClient);
        clock.Advance(TimeSpan.FromDays(11));
        var both = await WaitForRemindersAt(politie, 2);
        Assert.Equal([14u, 3u], both.Select(r => r.DaysLeft));

        // om got its own two reminders through its own peer endpoint, and logged exactly four.
        var ownReminders = await WaitForRemindersAt(om, 2);
        Assert.Equal([14u, 3u], ownReminders.Select(r => r.DaysLeft));
        var log = await om.Store.ReadLogAsync(0, 1000, default);
        var sent = log.Where(e => e.Event == LogEvent.Sent && e.SignalType == SignalTypes.MeasureExpiring).ToList();
        Assert.Equal(4, sent.Count);
        Assert.All(sent, e => Assert.Equal("chaingateway:measure-reminders", e.User));
        Assert.Equal(2, sent.Count(e => e.Partner == "om"));
        // Metadata only: the measure's id and end date are the signal's content, and the log outlives its retention.
        var endDate = $"{measure.ProtectionMeasureImposed.ValidTo.Year:D4}-{measure.ProtectionMeasureImposed.ValidTo.Month:D2}-{measure.ProtectionMeasureImposed.ValidTo.Day:D2}";
        Assert.All(log, e => Assert.DoesNotContain(ChainSignals.Measure, e.Detail ?? "", StringComparison.Ordinal));
        Assert.All(sent, e => Assert.DoesNotContain(endDate, e.Detail ?? "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LeadTimesAlreadyPast_AreSkipped_AndAnExtensionReplacesTheOldEndDatesReminders()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create("politie", "om");
        var om = await federation.StartAsync("om", clock);
        var politie = await federation.StartAsync("politie", clock);
        using var omClient = federation.Client("om", clock);
        var extendedEnd = ChainSignals.Day(30, clock);

        // Ends in 10 days: the 14-day reminder is already past and skipped; the 3-day one is planned.
        var first = await omClient.SendAsync("protection-order-enforcement", ChainSignals.MeasureImposed(daysValid: 10, time: clock), "politie");
        // Extended before any reminder: to 30 days from now. The old end date's 3-day reminder must not fire.
        var extension = await omClient.SendAsync("protection-order-enforcement", ChainSignals.MeasureImposed(daysValid: 30, time: clock), "politie");
        // Days pass only once both are delivered (an envelope in flight while days pass would expire).
        await omClient.WaitForFinalStateAsync(first.Envelopes[0].MessageId);
        await omClient.WaitForFinalStateAsync(extension.Envelopes[0].MessageId);

        clock.Advance(TimeSpan.FromDays(16)); // the extension's 14-day reminder
        var reminders = await WaitForRemindersAt(politie, 1);
        await WaitUntilRemindersDeliveredAsync(om, omClient);
        clock.Advance(TimeSpan.FromDays(11)); // the extension's 3-day reminder (and, were it not replaced, long past the old one)
        reminders = await WaitForRemindersAt(politie, 2, om);
        Assert.Equal([14u, 3u], reminders.Select(r => r.DaysLeft));
        Assert.All(reminders, r => Assert.Equal(extendedEnd, r.ExpiresOn));
    }

    [Fact]
    public async Task AMeasureShortenedToEndBeforeItsFirstLeadTime_LeavesNoReminderOfItsOldEnd()
    {
        await using var federation = TestFederation.Create("om", "politie");
        var om = await federation.StartAsync("om");
        await federation.StartAsync("politie");
        using var omClient = federation.Client("om");
        Task<List<string>> Pending() => PendingRemindersAsync(om);

        // Ends in 60 days: reminders 14 and 3 days before, to politie and to om itself.
        await omClient.SendAsync("protection-order-enforcement", ChainSignals.MeasureImposed(daysValid: 60), "politie");
        Assert.Equal(4, (await Pending()).Count);

        // Shortened to end in 2 days: both lead times are past, so nothing is planned for the new end, and the old end's
        // reminders would announce a measure that has ended, with a date that was never true.
        await omClient.SendAsync("protection-order-enforcement", ChainSignals.MeasureImposed(daysValid: 2), "politie");
        Assert.Empty(await Pending());
    }

    [Fact]
    public async Task AnEndDateChangedAndChangedBack_RemindsOfTheEndInForce()
    {
        await using var federation = TestFederation.Create("om", "politie");
        var om = await federation.StartAsync("om");
        await federation.StartAsync("politie");
        using var omClient = federation.Client("om");
        Task<List<string>> Pending() => PendingRemindersAsync(om);

        // Ends in 60 days; extended to 90 by mistake; set back to 60. The reminders of the 60-day end are the ones in force.
        await omClient.SendAsync("protection-order-enforcement", ChainSignals.MeasureImposed(daysValid: 60), "politie");
        var planned = await Pending();
        Assert.Equal(4, planned.Count);
        await omClient.SendAsync("protection-order-enforcement", ChainSignals.MeasureImposed(daysValid: 90), "politie");
        Assert.DoesNotContain(await Pending(), planned.Contains);
        await omClient.SendAsync("protection-order-enforcement", ChainSignals.MeasureImposed(daysValid: 60), "politie");
        Assert.Equal(planned.Order(), (await Pending()).Order());
    }

    [Fact]
    public async Task ANodeDownPastTwoLeadTimes_SendsOnlyTheNearerReminder_WithTheDaysReallyLeft()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create("politie", "om");
        using var omClient = federation.Client("om", clock);
        // om is down from day 0 to day 18: both lead times have passed. Only the nearer one goes, saying 2 days.
        var (om, politie) = await ImposeThenBeDownAsync(federation, clock, omClient, TimeSpan.FromDays(18));
        var reminder = Assert.Single(await WaitForRemindersAt(politie, 1));
        Assert.Equal(2u, reminder.DaysLeft);
        await WaitUntilRemindersDeliveredAsync(om, omClient);
        Assert.Single(await RemindersAt(politie));
        var log = await om.Store.ReadLogAsync(0, 1000, default);
        Assert.Equal(2, log.Count(e => e.Event == LogEvent.Sent && e.SignalType == SignalTypes.MeasureExpiring)); // politie and om itself
        Assert.Equal(2, log.Count(e => e.Event == LogEvent.Denied && e.SignalType == SignalTypes.MeasureExpiring
            && e.ReasonCode == "EXPIRED" && e.Detail == "14-day reminder not sent: a nearer reminder of the same end is due as well and is sent instead"));
    }

    [Fact]
    public async Task ANodeDownPastAMeasuresEnd_SendsNoReminderOfIt()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create("politie", "om");
        using var omClient = federation.Client("om", clock);
        // Down until a day after the measure's last day: its four reminders (two lead times, politie and om) are all dropped.
        var (om, politie) = await ImposeThenBeDownAsync(federation, clock, omClient, TimeSpan.FromDays(21));
        await federation.Logs.WaitForAsync(_ => federation.Logs.Events.Count(e => e.EventId.Name == "MeasureReminderDropped") >= 4, TimeSpan.FromSeconds(30));
        Assert.Empty(await RemindersAt(politie));
        var log = await om.Store.ReadLogAsync(0, 1000, default);
        Assert.DoesNotContain(log, e => e.Event == LogEvent.Sent && e.SignalType == SignalTypes.MeasureExpiring);
        Assert.Equal(2, log.Count(e => e.Event == LogEvent.Denied && e.Detail == "3-day reminder not sent: the measure ended before the reminder could be sent"));
    }

    [Fact]
    public async Task AReminderFiresUnderTheRuleInForceThen_MinimisedByIt_AfterTheAgreementWasAmended()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create("politie", "om");
        var om = await federation.StartAsync("om", clock);
        var politie = await federation.StartAsync("politie", clock);
        using (var omClient = federation.Client("om", clock))
        {
            // Reminders planned under the first version of the agreement, which lets them name the measure's kind.
            var imposed = await omClient.SendAsync("protection-order-enforcement", ChainSignals.MeasureImposed(daysValid: 20, time: clock), "politie");
            Assert.Equal(DeliveryState.Delivered, (await omClient.WaitForFinalStateAsync(imposed.Envelopes[0].MessageId)).State);
        }
        await federation.StopAsync(om);
        await federation.StopAsync(politie);

        // Both move to an amended agreement whose reminder rule no longer allows the kind.
        var agreement = Agreement.Parse(await File.ReadAllTextAsync(Path.Combine(federation.Directory, "agreement.json")));
        var amended = agreement with
        {
            Version = agreement.Version + 1,
            Rules = [.. agreement.Rules.Select(r => r.Id == "measure-expiry-reminder"
                ? r with { AllowedFields = [.. r.AllowedFields.Where(f => f != "measure_expiring.kind")] }
                : r)],
        };
        await UseAgreementAsync(federation, amended, "om", "politie");
        clock.Advance(TimeSpan.FromDays(6));
        // politie first: om's first attempt must find it listening (a failed one would wait for a retry on the frozen clock).
        politie = await federation.StartAsync("politie", clock);
        om = await federation.StartAsync("om", clock);

        // The 14-day reminder goes out under the amended rule: without the kind, and politie accepts it.
        var reminder = Assert.Single(await WaitForRemindersAt(politie, 1, om));
        Assert.Equal(14u, reminder.DaysLeft);
        Assert.Equal(MeasureKind.Unspecified, reminder.Kind);
    }

    [Fact]
    public async Task TwoReminderRulesForOneRecipientAndTwoPurposes_EachSendsItsOwnReminder_MinimisedByItsRule()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create("politie", "om");
        // A second reminder rule from om to politie, for another purpose and with fewer fields.
        var (politie, om) = await ImposeUnderASecondReminderRuleAsync(federation, clock, first => first with
        {
            Id = "measure-expiry-victim-contact",
            To = ["politie"],
            Purpose = "victim-contact",
            AllowedFields = [.. first.AllowedFields.Where(f => f is not ("measure_expiring.kind" or "measure_expiring.case_reference"))],
        });

        clock.Advance(TimeSpan.FromDays(6));
        await WaitForRemindersAt(politie, 2, om);
        var received = (await politie.Store.GetUnacknowledgedAsync(0, 1000, default))
            .Where(r => r.SignalType == SignalTypes.MeasureExpiring)
            .ToDictionary(r => r.RuleId, r => SignalPayload.Parser.ParseFrom(r.Payload).Signal.MeasureExpiring);
        Assert.Equal(["measure-expiry-reminder", "measure-expiry-victim-contact"], received.Keys.Order());
        Assert.All(received.Values, r => Assert.Equal(14u, r.DaysLeft));
        Assert.NotEqual(MeasureKind.Unspecified, received["measure-expiry-reminder"].Kind);
        Assert.Equal(MeasureKind.Unspecified, received["measure-expiry-victim-contact"].Kind);
        Assert.Empty(received["measure-expiry-victim-contact"].CaseReference);
    }

    [Fact]
    public async Task TwoReminderRulesForOneRecipientAndOnePurpose_SendOneReminder_UnderTheRuleTheReceiverResolvesTo()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create("politie", "om");
        // A second reminder rule from om to politie for the same purpose (another role, fewer fields), listed after the first.
        var (politie, om) = await ImposeUnderASecondReminderRuleAsync(federation, clock, first => first with
        {
            Id = "measure-expiry-reminder-b",
            To = ["politie"],
            RequiredRole = "privacy-officer",
            AllowedFields = [.. first.AllowedFields.Where(f => f != "measure_expiring.kind")],
        });
        using var omClient = federation.Client("om", clock);

        clock.Advance(TimeSpan.FromDays(6));
        await WaitForRemindersAt(politie, 1, om);
        // Every reminder om sent has reached its end state: politie holds exactly one, under the first rule.
        await WaitUntilRemindersDeliveredAsync(om, omClient);
        var received = (await politie.Store.GetUnacknowledgedAsync(0, 1000, default)).Where(r => r.SignalType == SignalTypes.MeasureExpiring).ToList();
        Assert.Equal("measure-expiry-reminder", Assert.Single(received).RuleId);
        var log = await om.Store.ReadLogAsync(0, 1000, default);
        Assert.Equal(2, log.Count(e => e.Event == LogEvent.Sent && e.SignalType == SignalTypes.MeasureExpiring));
    }

    /// <summary>
    /// Both nodes under an agreement with a second MeasureExpiring rule (made from the first), started, and a 20-day measure
    /// imposed by om on politie and delivered: its 14-day reminders fall due on day 6.
    /// </summary>
    private static async Task<(ChainNode Politie, ChainNode Om)> ImposeUnderASecondReminderRuleAsync(TestFederation federation, FakeTimeProvider clock,
        Func<SharingRule, SharingRule> second)
    {
        var agreement = Agreement.Parse(await File.ReadAllTextAsync(Path.Combine(federation.Directory, "agreement.json")));
        var rule = second(agreement.Rules.Single(r => r.Id == "measure-expiry-reminder"));
        await UseAgreementAsync(federation, agreement with { Version = agreement.Version + 1, Rules = [.. agreement.Rules, rule] }, "om", "politie");
        var politie = await federation.StartAsync("politie", clock);
        var om = await federation.StartAsync("om", clock);
        using var omClient = federation.Client("om", clock);
        var imposed = await omClient.SendAsync("protection-order-enforcement", ChainSignals.MeasureImposed(daysValid: 20, time: clock), "politie");
        Assert.Equal(DeliveryState.Delivered, (await omClient.WaitForFinalStateAsync(imposed.Envelopes[0].MessageId)).State);
        return (politie, om);
    }

    private static async Task UseAgreementAsync(TestFederation federation, Agreement agreement, params string[] organisations)
    {
        var json = System.Text.Encoding.UTF8.GetString(agreement.CanonicalBytes());
        var keys = agreement.Parties.Select(p => OrganisationKeys.Load(Path.Combine(federation.ConfigDirectory(p), "keys.json"))).ToList();
        try
        {
            var signatures = AgreementSignatures.Create(agreement, keys.Select(k => (k.Organisation, k.SigningKeyId, k.Signing)));
            foreach (var organisation in organisations)
            {
                var dir = federation.ConfigDirectory(organisation);
                await File.WriteAllTextAsync(Path.Combine(dir, "agreement-v2.json"), json);
                await File.WriteAllTextAsync(Path.Combine(dir, "agreement-v2.signatures.json"), signatures);
                federation.EditNodeConfiguration(organisation, node =>
                {
                    node["agreement"] = "agreement-v2.json";
                    node["agreementSignatures"] = "agreement-v2.signatures.json";
                });
            }
        }
        finally
        {
            keys.ForEach(k => k.Dispose());
        }
    }

    [Fact]
    public async Task Reminders_GoOnlyToPartnersTheMeasureWasSentTo_AndToTheNodeItself()
    {
        await using var federation = TestFederation.Create("om", "cjib", "politie");
        var om = await federation.StartAsync("om");
        using var omClient = federation.Client("om");
        async Task<List<string>> PlannedRecipients() =>
            [.. (await om.Store.GetDueRemindersAsync(DateTimeOffset.UtcNow.AddYears(2), 100, default)).Select(r => r.Recipient).Distinct().Order(StringComparer.Ordinal)];

        // Sent to CJIB only (to inform the victim): the agreement's reminder rule names politie and reclassering too, but
        // neither was told of this measure, so neither may learn of it, its subject and its case from a reminder.
        await omClient.SendAsync("victim-contact", ChainSignals.MeasureImposed(daysValid: 30), "cjib");
        Assert.Equal(["om"], await PlannedRecipients());

        // The same measure sent to politie for enforcement: politie's reminders are planned too.
        await omClient.SendAsync("protection-order-enforcement", ChainSignals.MeasureImposed(daysValid: 30), "politie");
        Assert.Equal(["om", "politie"], await PlannedRecipients());
    }

    [Fact]
    public async Task AReminderThatCannotBeSent_IsDroppedAndLogged_AndDoesNotHoldBackTheOthers()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create("politie", "om");
        // politie's envelope key ends on day 3: a reminder to politie due later can never be sealed.
        var path = Path.Combine(federation.Directory, "trust-list.json");
        var document = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        var politieKeys = document["organisations"]!.AsArray().Single(o => (string?)o!["id"] == "politie")!["envelopeKeys"]!.AsArray();
        foreach (var key in politieKeys)
        {
            key!["notAfter"] = clock.GetUtcNow().AddDays(3).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        }
        await File.WriteAllTextAsync(path, document.ToJsonString());
        var om = await federation.StartAsync("om", clock);
        using var omClient = federation.Client("om", clock);

        // Two measures sent to politie: their reminders to politie (days 6 and 11) fail; om's own (the same days) must not.
        await omClient.SendAsync("protection-order-enforcement", ChainSignals.MeasureImposed(daysValid: 20, measureId: "m-A", time: clock), "politie");
        await omClient.SendAsync("protection-order-enforcement", ChainSignals.MeasureImposed(daysValid: 25, measureId: "m-B", time: clock), "politie");
        clock.Advance(TimeSpan.FromDays(12));

        var own = await WaitForRemindersAt(om, 2);
        Assert.Equal(["m-A", "m-B"], own.Select(r => r.MeasureId).Order(StringComparer.Ordinal));
        var log = await om.Store.ReadLogAsync(0, 1000, default);
        var dropped = log.Where(e => e.Event == LogEvent.Denied && e.SignalType == SignalTypes.MeasureExpiring).ToList();
        Assert.Equal(2, dropped.Count);
        Assert.All(dropped, e => Assert.Equal(("politie", "UNKNOWN_KEY"), (e.Partner, e.ReasonCode)));
        // Metadata only, as for a sent reminder: not the measure it was about.
        Assert.All(dropped, e => Assert.False(e.Detail?.Contains("m-A", StringComparison.Ordinal) == true || e.Detail?.Contains("m-B", StringComparison.Ordinal) == true, e.Detail));
    }

    /// <summary>
    /// om and politie on <paramref name="clock"/>; om imposes a 20-day measure on politie (reminders due on day 6, 14 days
    /// before its end, and day 17, 3 days before) and is then down for <paramref name="down"/>.
    /// </summary>
    private static async Task<(ChainNode Om, ChainNode Politie)> ImposeThenBeDownAsync(TestFederation federation, FakeTimeProvider clock,
        LocalClient omClient, TimeSpan down)
    {
        var om = await federation.StartAsync("om", clock);
        var politie = await federation.StartAsync("politie", clock);
        var imposed = await omClient.SendAsync("protection-order-enforcement", ChainSignals.MeasureImposed(daysValid: 20, time: clock), "politie");
        Assert.Equal(DeliveryState.Delivered, (await omClient.WaitForFinalStateAsync(imposed.Envelopes[0].MessageId)).State);
        await federation.StopAsync(om);
        clock.Advance(down);
        return (await federation.StartAsync("om", clock), politie);
    }

    /// <summary>The node's pending reminders, due at any time in the next two years, as recipient:end date:lead days.</summary>
    private static async Task<List<string>> PendingRemindersAsync(ChainNode node) =>
        [.. (await node.Store.GetDueRemindersAsync(DateTimeOffset.UtcNow.AddYears(2), 100, default)).Select(r => $"{r.Recipient}:{r.ExpiresOn:yyyy-MM-dd}:{r.LeadDays}")];

    // Days may pass only when nothing is in flight: an envelope in flight while the fake clock jumps would expire, and
    // the delivery's timeout and retry delays run on that clock.
    private static async Task WaitUntilRemindersDeliveredAsync(ChainNode sender, LocalClient client)
    {
        var log = await sender.Store.ReadLogAsync(0, 1000, default);
        foreach (var sent in log.Where(e => e.Event == LogEvent.Sent && e.SignalType == SignalTypes.MeasureExpiring))
        {
            var status = await client.WaitForFinalStateAsync(sent.MessageId!.Value.ToString());
            Assert.True(status.State == DeliveryState.Delivered,
                $"reminder to {status.Recipient}: {status.State}, {status.Attempts} attempts, last error '{status.LastError}'");
        }
    }

    private static async Task<List<MeasureExpiring>> RemindersAt(ChainNode node) =>
        [.. (await node.Store.GetUnacknowledgedAsync(0, 1000, default))
            .Where(r => r.SignalType == SignalTypes.MeasureExpiring)
            .Select(r => SignalPayload.Parser.ParseFrom(r.Payload).Signal.MeasureExpiring)];

    // Waits on the node's inbox notifications (no polling interval): returns once at least `count` reminders are in.
    private static async Task<List<MeasureExpiring>> WaitForRemindersAt(ChainNode node, int count, ChainNode? sender = null)
    {
        var notifier = (Node.Local.InboxNotifier)node.Services.GetService(typeof(Node.Local.InboxNotifier))!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var next = notifier.NextAsync();
            var reminders = await RemindersAt(node);
            if (reminders.Count >= count)
            {
                Assert.Equal(count, reminders.Count);
                return reminders;
            }
            try
            {
                await next.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Say what the node holds, so a failure in CI can be read.
                var log = await node.Store.ReadLogAsync(0, 200, default);
                if (sender is not null)
                {
                    log = [.. log, .. await sender.Store.ReadLogAsync(0, 200, default)];
                }
                throw new TimeoutException($"{node.Context.Organisation} has {reminders.Count} of {count} reminders; its log:\n"
                    + string.Join("\n", log.Select(e => $"{e.Index} {e.Time:O} {e.Event} {e.SignalType} {e.Partner} {e.ReasonCode} {e.Detail}")));
            }
        }
    }
}
