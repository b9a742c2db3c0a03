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
using ChainGateway.Node.Errors;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Local;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ChainGateway.Node.Peer;

/// <summary>
/// The receive path (DESIGN.md §1): peer identity (mTLS) → verify → open → rules(receive), the one the sender named →
/// replay check, log+inbox in one transaction → signed receipt. The replay check runs inside the store's transaction
/// (a duplicate gets its original receipt there); a refused envelope that turns out to be an accepted one's retry gets
/// its original receipt too. Every refusal is logged in the sharing log and answered with its reason code; it changes
/// nothing already stored.
/// </summary>
internal sealed class PeerGrpcService(NodeContext node, INodeStore store, InboxNotifier notifier, ILogger<PeerGrpcService> logger)
    : PeerService.PeerServiceBase
{
    public override async Task<Receipt> Deliver(Contracts.V1.Envelope request, ServerCallContext context)
    {
        var started = node.Time.GetTimestamp();
        var outcome = "refused";
        string? peer = null;
        AuthenticatedEnvelope? authenticated = null;
        Activity? activity = null;
        try
        {
            peer = PeerIdentity.Resolve(context, node);
            authenticated = node.Opener.Authenticate(request, peer);
            // The sender's span (from the signed header) is this span's parent: one trace across both organisations.
            // A header without a valid traceparent starts a trace of its own (an all-zero parent would put every such
            // receive in one invalid trace).
            var linked = ActivityContext.TryParse(authenticated.Header.Traceparent, null, isRemote: true, out var parent);
            activity = ChainGatewayTelemetry.Source.StartActivity("chaingateway.receive", ActivityKind.Consumer, parent)
                // Without a listener that samples it, keep the link in the sharing log all the same.
                ?? (linked ? new Activity("chaingateway.receive").SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags)
                    : new Activity("chaingateway.receive")).Start();
            activity?.SetTag("chaingateway.sender", peer);
            activity?.SetTag("chaingateway.signal_type", authenticated.Header.SignalType);
            // No read for a duplicate here: the store's transaction finds one (and answers with its receipt), and a duplicate
            // refused on the way there is looked up below. A read before the write cost a round through a reader
            // connection per delivery, for the rare retry.
            var payload = node.Opener.Open(authenticated);
            var header = authenticated.Header;
            var signal = payload.Signal ?? throw new ChainGatewayException(ReasonCode.Malformed, "the payload carries no signal", "signal");
            SignalValidator.ValidateWire(signal, node.Time.GetUtcNow());
            var signalType = SignalTypes.Of(signal);
            if (signalType != header.SignalType)
            {
                ChainGatewayException.Throw(ReasonCode.Malformed,
                    $"the header says {header.SignalType} but the payload is {signalType}", "header.signal_type");
            }
            // The rule the sender named, checked here in full: another rule for the same exchange (for another role, say)
            // neither stands in for it nor refuses it.
            var decision = node.Rules.Evaluate(header.Sender, node.Organisation, signalType, header.Purpose, null, signal, header.RuleId);
            if (!decision.Allowed || decision.Rule is null)
            {
                throw new ChainGatewayException(decision.Reason ?? ReasonCode.RuleDenied, decision.Message,
                    metadata: new Dictionary<string, string> { ["purpose"] = header.Purpose, ["signal_type"] = signalType, ["rule_id"] = header.RuleId });
            }
            var rule = decision.Rule;
            // Unknown fields anywhere in the payload, beside the signal too: the payload is stored as it came, and nothing
            // may ride along in it that the rule does not allow.
            if (FieldMinimiser.HasUnknownFields(payload))
            {
                var inSignal = FieldMinimiser.HasUnknownFields(signal);
                ChainGatewayException.Throw(ReasonCode.FieldNotAllowed,
                    inSignal ? "the signal carries fields that no version of the catalogue defines" : "the payload carries fields beside the signal that no version defines",
                    inSignal ? "signal" : "payload", new Dictionary<string, string> { ["rule_id"] = rule.Id });
            }
            var disallowed = FieldMinimiser.FirstDisallowedField(signal, rule.AllowedFields);
            if (disallowed is not null)
            {
                ChainGatewayException.Throw(ReasonCode.FieldNotAllowed,
                    $"rule '{rule.Id}' does not allow the field '{disallowed}'", "signal." + disallowed,
                    new Dictionary<string, string> { ["rule_id"] = rule.Id });
            }
            var receipt = await AcceptAsync(authenticated, payload, rule, context).ConfigureAwait(false);
            outcome = "accepted";
            return receipt;
        }
        catch (ChainGatewayException refusal)
        {
            var e = refusal;
            if (peer is not null && authenticated is not null && e.Reason != ReasonCode.Replayed)
            {
                // A retry of an envelope accepted before (its receipt was lost on the way) gets the original receipt, even
                // if this node's rules or clock would refuse it now: it was accepted when it arrived.
                var existing = await store.FindInboxAsync(peer, authenticated.MessageId, context.CancellationToken).ConfigureAwait(false);
                if (existing is not null)
                {
                    try
                    {
                        var original = Duplicate(existing, authenticated);
                        outcome = "duplicate";
                        return original;
                    }
                    catch (ChainGatewayException replayed)
                    {
                        e = replayed;
                    }
                }
            }
            NodeLog.PeerRejected(logger, peer ?? "(unidentified)", e.Reason.ToWire(), e.Message);
            activity?.SetStatus(ActivityStatusCode.Error, e.Reason.ToWire());
            ChainGatewayTelemetry.Refusals.Add(1, new KeyValuePair<string, object?>("reason", e.Reason.ToWire()));
            await store.AppendLogAsync(new LogEntry
            {
                Time = node.Time.GetUtcNow(),
                Event = LogEvent.Rejected,
                Partner = peer,
                MessageId = authenticated?.MessageId,
                EnvelopeHash = authenticated?.Hash,
                SignalType = authenticated?.Header.SignalType,
                Purpose = authenticated?.Header.Purpose,
                RuleId = authenticated?.Header.RuleId,
                Outcome = "rejected",
                ReasonCode = e.Reason.ToWire(),
                Detail = e.Message,
                TraceId = Activity.Current?.TraceId.ToString(),
                SpanId = Activity.Current?.SpanId.ToString(),
            }, CancellationToken.None).ConfigureAwait(false);
            // Logged and counted here, with the peer and the sharing-log entry: the error interceptor only sees the status
            // (it would log and count the refusal a second time).
            throw ErrorMapping.ToRpcException(e);
        }
        finally
        {
            activity?.Dispose();
            ChainGatewayTelemetry.ReceiveDuration.Record(node.Time.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("partner", peer ?? "unidentified"), new KeyValuePair<string, object?>("outcome", outcome),
                new KeyValuePair<string, object?>("priority", ChainGatewayTelemetry.PriorityTag(authenticated?.Header.Priority == Priority.Urgent)));
        }
    }

    /// <summary>A match question (DESIGN.md §6): the peer is whom its TLS certificate names, as for Deliver.</summary>
    public override Task<SignedMatchAnswer> Match(SignedMatchQuery request, ServerCallContext context) =>
        context.GetHttpContext().RequestServices.GetRequiredService<Node.Match.MatchAnswerer>()
            .AnswerAsync(PeerIdentity.Resolve(context, node), request, context.CancellationToken);

    private static Receipt Duplicate(InboxRecord existing, AuthenticatedEnvelope authenticated)
    {
        if (!existing.EnvelopeHash.AsSpan().SequenceEqual(authenticated.Hash))
        {
            ChainGatewayException.Throw(ReasonCode.Replayed,
                $"message id {authenticated.MessageId} was already used for another envelope");
        }
        return Receipt.Parser.ParseFrom(existing.Receipt);
    }

    private async Task<Receipt> AcceptAsync(AuthenticatedEnvelope authenticated, SignalPayload payload, SharingRule rule, ServerCallContext context)
    {
        var header = authenticated.Header;
        var now = node.Time.GetUtcNow();
        var (foreignTrace, foreignSpan) = TraceParent.Parse(header.Traceparent);
        var entry = new LogEntry
        {
            Time = now,
            Event = LogEvent.Received,
            Partner = header.Sender,
            Purpose = header.Purpose,
            ProcessingActivity = rule.ProcessingActivity,
            RuleId = rule.Id,
            SignalType = header.SignalType,
            SubjectPseudonym = SignalSubjects.Describe(payload.Signal),
            MessageId = authenticated.MessageId,
            EnvelopeHash = authenticated.Hash,
            Outcome = "ok",
            TraceId = Activity.Current?.TraceId.ToString(),
            SpanId = Activity.Current?.SpanId.ToString(),
            ForeignTraceId = foreignTrace,
            ForeignSpanId = foreignSpan,
            Detail = QualityDetail(payload.Signal),
        };
        var body = payload.ToByteArray();
        var retainUntil = now.AddDays(rule.RetentionDays);
        IReadOnlyList<byte[]> subjects = [.. SignalSubjects.Pseudonyms(payload.Signal).Select(s => s.Pseudonym)];
        var createdAt = header.CreatedAt.ToDateTimeOffset();
        var inbox = new InboxEnvelope(header.Sender, authenticated.MessageId, authenticated.Hash, header.SignalType, header.Purpose,
            rule.Id, body, createdAt, now, retainUntil,
            new CaseFact(FactDirection.Received, header.Sender, authenticated.MessageId, header.SignalType, header.Purpose, rule.Id, now,
                retainUntil, body, subjects, createdAt));
        Receipt? receipt = null;
        var result = await store.AcceptAsync(inbox, entry, logIndex =>
        {
            receipt = ReceiptSigner.Sign(new ReceiptBody
            {
                MessageId = header.MessageId,
                EnvelopeHash = ByteString.CopyFrom(authenticated.Hash),
                Outcome = ReceiptOutcome.Accepted,
                LogIndex = (ulong)logIndex,
                ReceivedAt = Timestamp.FromDateTimeOffset(now),
                ReceiverKeyId = node.Keys.SigningKeyId,
                Receiver = node.Organisation,
            }, node.Keys.Signing);
            return receipt.ToByteArray();
        }, context.CancellationToken, header.Priority).ConfigureAwait(false);
        if (result.Duplicate)
        {
            // A concurrent delivery of the same envelope won the race: answer as for any duplicate.
            return Duplicate(result.Record, authenticated);
        }
        NodeLog.SignalReceived(logger, header.SignalType, authenticated.MessageId, header.Sender, rule.Id, result.Record.LogIndex);
        ChainGatewayTelemetry.SignalsReceived.Add(1, new KeyValuePair<string, object?>("partner", header.Sender));
        notifier.Notify();
        return receipt!;
    }

    // Accepted but flagged (the SASH quality gap): the privacy officer sees it in the log, the case system on the signal.
    private static string? QualityDetail(Signal? signal)
    {
        var flags = SignalQuality.Flags(signal);
        return flags.Count == 0 ? null : "quality: " + string.Join(',', flags.Select(f => f.ToString()));
    }
}
