using System.Diagnostics;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Cases;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Rules;
using ChainGateway.Core.SharingLog;
using ChainGateway.Core.Signals;
using ChainGateway.Core.Telemetry;
using ChainGateway.Node.Auth;
using ChainGateway.Node.Cases;
using ChainGateway.Node.Delivery;
using ChainGateway.Node.Hosting;
using Google.Protobuf;

namespace ChainGateway.Node.Local;

/// <summary>
/// The send path (DESIGN.md §1): validate → rules(send) → minimise → pseudonymise → seal+sign → log+outbox in
/// one transaction. Either every recipient's envelope is queued, or none is.
/// </summary>
public sealed class SendPipeline(NodeContext node, INodeStore store, OutboxTrigger trigger, MeasureReminderTrigger reminderTrigger, ILogger<SendPipeline> logger)
    : IDisposable
{
    private readonly SemaphoreSlim routineGate = new(Math.Max(2, Environment.ProcessorCount * 2));

    public void Dispose() => routineGate.Dispose();

    public async Task<SendResponse> SendAsync(SendRequest request, LocalUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(user);
        var started = node.Time.GetTimestamp();
        using var activity = ChainGatewayTelemetry.Source.StartActivity("chaingateway.send", ActivityKind.Producer)
            ?? new Activity("chaingateway.send").Start();
        var now = node.Time.GetUtcNow();
        if (request.Recipients.Count == 0)
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, "name at least one recipient", "recipients");
        }
        for (var i = 0; i < request.Recipients.Count; i++)
        {
            Identifiers.Require(request.Recipients[i], $"recipients[{i}]", "recipient");
        }
        Identifiers.Require(request.Purpose, "purpose", "purpose");
        if (!Enum.IsDefined(request.Priority))
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, $"priority {(int)request.Priority} is not a priority this API defines", "priority");
        }
        if (request.Signal is null)
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, "a signal is required", "signal");
        }
        SignalValidator.ValidateLocal(request.Signal, now);
        var signalType = SignalTypes.Of(request.Signal);
        var priority = request.Priority == Priority.Unspecified ? Priority.Routine : request.Priority;

        // Routine sends take a slot for their CPU work (rules, minimising, pseudonyms, seal+sign), so a flood of them
        // cannot line up hundreds of work items in the thread pool ahead of an urgent one; urgent sends take none.
        // The slot is given back before the durable write, where group commit wants many requests together.
        var gate = priority == Priority.Urgent ? null : routineGate;
        if (gate is not null)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        List<OutboxEnvelope> outbox;
        SendResponse response;
        IReadOnlyList<MeasureReminder> reminders;
        try
        {
            var decisions = new List<(Core.Federation.Partner Partner, SharingRule Rule)>();
            foreach (var recipient in request.Recipients.Distinct(StringComparer.Ordinal))
            {
                if (recipient == node.Organisation || !node.TrustList.TryGet(recipient, out var partner))
                {
                    await LogDeniedAsync(now, recipient, user, request.Purpose, signalType, null, ReasonCode.UnknownPartner, "not a partner").ConfigureAwait(false);
                    throw new ChainGatewayException(ReasonCode.UnknownPartner, $"'{recipient}' is not a partner in the trust list", "recipients",
                        new Dictionary<string, string> { ["partner"] = recipient });
                }
                var decision = node.Rules.Evaluate(node.Organisation, recipient, signalType, request.Purpose, user.Roles, request.Signal);
                if (!decision.Allowed || decision.Rule is null)
                {
                    var reason = decision.Reason ?? ReasonCode.RuleDenied;
                    await LogDeniedAsync(now, recipient, user, request.Purpose, signalType, decision.Rule?.Id, reason, decision.Message).ConfigureAwait(false);
                    var metadata = new Dictionary<string, string> { ["partner"] = recipient, ["purpose"] = request.Purpose, ["signal_type"] = signalType };
                    if (decision.Rule is not null)
                    {
                        metadata["rule_id"] = decision.Rule.Id;
                    }
                    throw new ChainGatewayException(reason, decision.Message, metadata: metadata);
                }
                decisions.Add((partner, decision.Rule));
            }

            outbox = new List<OutboxEnvelope>(decisions.Count);
            response = new SendResponse();
            foreach (var (partner, rule) in decisions)
            {
                var minimised = FieldMinimiser.Minimise(request.Signal, rule.AllowedFields);
                var pseudonymised = SubjectPseudonymiser.ForRecipient(minimised, node.PseudonymKeys.Current(now), partner, now);
                var (messageId, sealedEnvelope) = EnvelopeFactory.Create(node, partner, rule.Id, signalType, request.Purpose, priority, pseudonymised);
                // The case overview's copy: exactly what the partner received, kept as long as the rule lets the partner keep it.
                var fact = new CaseFact(FactDirection.Sent, partner.Id, messageId, signalType, request.Purpose, rule.Id, now, now.AddDays(rule.RetentionDays),
                    new SignalPayload { Signal = pseudonymised }.ToByteArray(), [.. SignalSubjects.Pseudonyms(pseudonymised).Select(p => p.Pseudonym)], now);
                outbox.Add(new OutboxEnvelope(messageId, partner.Id, (int)priority, sealedEnvelope.Envelope.ToByteArray(), sealedEnvelope.Hash,
                    now, now + node.EnvelopeLifetime, 0, new LogEntry
                    {
                        Time = now,
                        Event = LogEvent.Sent,
                        Partner = partner.Id,
                        User = user.Subject,
                        Purpose = request.Purpose,
                        ProcessingActivity = rule.ProcessingActivity,
                        RuleId = rule.Id,
                        SignalType = signalType,
                        SubjectPseudonym = SignalSubjects.Describe(pseudonymised),
                        MessageId = messageId,
                        EnvelopeHash = sealedEnvelope.Hash,
                        Outcome = "ok",
                        TraceId = Activity.Current?.TraceId.ToString(),
                        SpanId = Activity.Current?.SpanId.ToString(),
                    }, fact));
                response.Envelopes.Add(new SentEnvelope { Recipient = partner.Id, MessageId = messageId.ToString(), RuleId = rule.Id });
            }
            reminders = request.Signal.KindCase == Signal.KindOneofCase.ProtectionMeasureImposed
                ? MeasureReminderPlanner.Plan(node, request.Signal.ProtectionMeasureImposed, [.. decisions.Select(d => d.Partner.Id)], now)
                : [];
        }
        finally
        {
            gate?.Release();
        }
        var measureEnd = request.Signal.KindCase == Signal.KindOneofCase.ProtectionMeasureImposed && outbox.Count > 0
            ? MeasureReminderPlanner.EndOf(request.Signal.ProtectionMeasureImposed)
            : null;
        await store.EnqueueAsync(outbox, reminders, measureEnd, cancellationToken).ConfigureAwait(false);
        ChainGatewayTelemetry.SendDuration.Record(node.Time.GetElapsedTime(started).TotalSeconds,
            new KeyValuePair<string, object?>("priority", ChainGatewayTelemetry.PriorityTag(priority == Priority.Urgent)));
        if (reminders.Count > 0)
        {
            reminderTrigger.Notify();
        }
        foreach (var item in outbox)
        {
            NodeLog.SignalSent(logger, signalType, item.MessageId, item.Recipient, item.SentEntry!.RuleId!);
            ChainGatewayTelemetry.SignalsSent.Add(1, new KeyValuePair<string, object?>("partner", item.Recipient));
            trigger.Committed(item);
        }
        return response;
    }

    private Task<long> LogDeniedAsync(DateTimeOffset now, string recipient, LocalUser user, string purpose, string signalType, string? ruleId,
        ReasonCode reason, string detail) =>
        store.AppendLogAsync(new LogEntry
        {
            Time = now,
            Event = LogEvent.Denied,
            Partner = recipient,
            User = user.Subject,
            Purpose = purpose,
            SignalType = signalType,
            RuleId = ruleId,
            Outcome = "denied",
            ReasonCode = reason.ToWire(),
            Detail = detail,
            TraceId = Activity.Current?.TraceId.ToString(),
            SpanId = Activity.Current?.SpanId.ToString(),
        }, CancellationToken.None);
}
