using System.Diagnostics;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Cases;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Rules;
using ChainGateway.Core.SharingLog;
using ChainGateway.Core.Signals;
using ChainGateway.Core.Telemetry;
using ChainGateway.Node.Delivery;
using ChainGateway.Node.Hosting;
using Google.Protobuf;

namespace ChainGateway.Node.Cases;

/// <summary>
/// Sends each due MeasureExpiring exactly once: the reminder is marked done in the same transaction that queues its
/// envelope, so a restart neither loses nor repeats one. Driven by the node's TimeProvider (tests use a fake clock):
/// it sleeps until the next reminder falls due, at most <c>measureReminders.checkSeconds</c>, and wakes when a new
/// measure is imposed. The rule is evaluated again when the reminder fires; a reminder the agreement no longer
/// allows is dropped and the refusal logged.
/// </summary>
internal sealed partial class MeasureReminderWorker(NodeContext node, INodeStore store, OutboxTrigger outbox, MeasureReminderTrigger trigger,
    ILogger<MeasureReminderWorker> logger) : BackgroundService
{
    public const string User = "chaingateway:measure-reminders";

    private const int Batch = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var check = TimeSpan.FromSeconds(node.Configuration.MeasureReminders.CheckSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var now = node.Time.GetUtcNow();
                var due = await store.GetDueRemindersAsync(now, Batch, stoppingToken).ConfigureAwait(false);
                foreach (var reminder in due)
                {
                    // A node that was down past two lead times finds both due: only the nearer one is sent (the farther one's
                    // "14 days left" is no longer true).
                    var nearerDue = due.Any(other => other.DueAt > reminder.DueAt && other.MeasureId == reminder.MeasureId
                        && other.ExpiresOn == reminder.ExpiresOn && other.Recipient == reminder.Recipient && other.Purpose == reminder.Purpose);
                    await FireAsync(reminder, nearerDue, stoppingToken).ConfigureAwait(false);
                }
                if (due.Count == Batch)
                {
                    continue;
                }
                var next = await store.GetNextReminderDueAsync(stoppingToken).ConfigureAwait(false);
                wait = next is { } at && at - node.Time.GetUtcNow() < check ? at - node.Time.GetUtcNow() : check;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A store failure delays reminders; it must not end the worker.
                ReminderFailed(logger, e);
                wait = check;
            }
            var deadline = node.Time.GetUtcNow() + wait;
            if (wait <= TimeSpan.Zero)
            {
                continue;
            }
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            try
            {
                var delay = Task.Delay(wait, node.Time, wake.Token);
                // The clock may have jumped (a suspended VM, a test's fake clock) between reading it and arming the
                // timer: then the timer would be late by the jump, so look again at once.
                if (node.Time.GetUtcNow() < deadline)
                {
                    await Task.WhenAny(delay, trigger.WaitAsync(wake.Token)).ConfigureAwait(false);
                }
            }
            finally
            {
                await wake.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task FireAsync(MeasureReminder reminder, bool nearerDue, CancellationToken cancellationToken)
    {
        using var activity = ChainGatewayTelemetry.Source.StartActivity("chaingateway.measure-reminder", ActivityKind.Producer)
            ?? new Activity("chaingateway.measure-reminder").Start();
        var now = node.Time.GetUtcNow();
        string? refusal = null;
        ReasonCode reason = ReasonCode.RuleDenied;
        Core.Rules.SharingRule? rule = null;
        Signal signal = new();
        Core.Federation.Partner? partner = null;
        (Guid MessageId, Core.Envelope.SealedEnvelope Sealed)? created = null;
        // Days left as of today, not as planned: a reminder fires late when the node was down on its day.
        var daysLeft = reminder.ExpiresOn.DayNumber - DateOnly.FromDateTime(now.UtcDateTime).DayNumber;
        try
        {
            signal = Signal.Parser.ParseFrom(reminder.Payload);
            if (daysLeft < 0 || nearerDue)
            {
                // Nothing to remind of: the measure has ended (the node was down past its last day), or a nearer reminder of
                // it is due as well and goes instead.
                (reason, refusal) = (ReasonCode.Expired, daysLeft < 0 ? "the measure ended before the reminder could be sent"
                    : "a nearer reminder of the same end is due as well and is sent instead");
            }
            else if (!node.TrustList.TryGet(reminder.Recipient, out partner))
            {
                (reason, refusal) = (ReasonCode.UnknownPartner, $"'{reminder.Recipient}' is no longer in the trust list");
            }
            else
            {
                var decision = node.Rules.Evaluate(node.Organisation, reminder.Recipient, SignalTypes.MeasureExpiring, reminder.Purpose, null, signal);
                if (decision is { Allowed: true, Rule: not null })
                {
                    rule = decision.Rule;
                    if (signal.MeasureExpiring is { } expiring)
                    {
                        expiring.DaysLeft = (uint)daysLeft;
                    }
                    // Minimised again by the rule in force now: the planned signal was minimised by the rule of its day, and an
                    // agreement amended since may allow fewer fields (the partner would refuse what it no longer allows).
                    signal = FieldMinimiser.Minimise(signal, rule.AllowedFields);
                    created = EnvelopeFactory.Create(node, partner, rule.Id, SignalTypes.MeasureExpiring, reminder.Purpose, Priority.Routine, signal);
                }
                else
                {
                    (reason, refusal) = (decision.Reason ?? ReasonCode.RuleDenied, decision.Message);
                }
            }
        }
        catch (Exception e) when (e is ChainGatewayException or InvalidProtocolBufferException)
        {
            // This reminder can never be sent as planned (the partner's envelope key expired before its day, a payload that
            // does not parse): it is dropped and logged like a refusal, so that it does not stand in front of every
            // reminder due after it at each check.
            (reason, refusal) = e is ChainGatewayException g ? (g.Reason, g.Message) : (ReasonCode.Malformed, "the planned reminder does not parse");
            rule = null;
        }
        if (rule is null || partner is null || created is not { } made)
        {
            await store.FireReminderAsync(reminder, null, new LogEntry
            {
                Time = now,
                Event = LogEvent.Denied,
                Partner = reminder.Recipient,
                User = User,
                Purpose = reminder.Purpose,
                RuleId = reminder.RuleId,
                SignalType = SignalTypes.MeasureExpiring,
                Outcome = "denied",
                ReasonCode = reason.ToWire(),
                // Metadata only (DESIGN.md §7): the measure's id and end date are the signal's content, which the log keeps
                // past the signal's retention and serves to partners in its entry bundles.
                Detail = $"{reminder.LeadDays}-day reminder not sent: {refusal}",
            }, cancellationToken).ConfigureAwait(false);
            ReminderDropped(logger, reminder.MeasureId, reminder.Recipient, reminder.LeadDays, refusal ?? string.Empty);
            return;
        }
        var (messageId, sealedEnvelope) = made;
        var payload = new SignalPayload { Signal = signal }.ToByteArray();
        var envelope = new OutboxEnvelope(messageId, partner.Id, (int)Priority.Routine, sealedEnvelope.Envelope.ToByteArray(), sealedEnvelope.Hash,
            now, now + node.EnvelopeLifetime, 0, new LogEntry
            {
                Time = now,
                Event = LogEvent.Sent,
                Partner = partner.Id,
                User = User,
                Purpose = reminder.Purpose,
                ProcessingActivity = rule.ProcessingActivity,
                RuleId = rule.Id,
                SignalType = SignalTypes.MeasureExpiring,
                SubjectPseudonym = SignalSubjects.Describe(signal),
                MessageId = messageId,
                EnvelopeHash = sealedEnvelope.Hash,
                Outcome = "ok",
                Detail = $"{reminder.LeadDays}-day reminder",
                TraceId = Activity.Current?.TraceId.ToString(),
                SpanId = Activity.Current?.SpanId.ToString(),
            },
            new CaseFact(FactDirection.Sent, partner.Id, messageId, SignalTypes.MeasureExpiring, reminder.Purpose, rule.Id, now,
                now.AddDays(rule.RetentionDays), payload, [.. SignalSubjects.Pseudonyms(signal).Select(s => s.Pseudonym)], now));
        if (await store.FireReminderAsync(reminder, envelope, null, cancellationToken).ConfigureAwait(false))
        {
            ReminderSent(logger, reminder.MeasureId, reminder.Recipient, reminder.LeadDays, messageId);
            outbox.Notify(partner.Id);
        }
    }

    [LoggerMessage(EventId = 1200, EventName = "MeasureReminderSent", Level = LogLevel.Information,
        Message = "MeasureExpiring for measure {MeasureId} sent to {Recipient} ({LeadDays} days before its end) as {MessageId}")]
    private static partial void ReminderSent(ILogger logger, string measureId, string recipient, int leadDays, Guid messageId);

    [LoggerMessage(EventId = 1201, EventName = "MeasureReminderDropped", Level = LogLevel.Warning,
        Message = "MeasureExpiring for measure {MeasureId} to {Recipient} ({LeadDays} days) dropped: {Reason}")]
    private static partial void ReminderDropped(ILogger logger, string measureId, string recipient, int leadDays, string reason);

    [LoggerMessage(EventId = 1202, EventName = "MeasureReminderFailed", Level = LogLevel.Error,
        Message = "Measure reminders could not be processed; retrying at the next check")]
    private static partial void ReminderFailed(ILogger logger, Exception exception);
}
