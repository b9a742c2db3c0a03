using System.Diagnostics;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Rules;
using ChainGateway.Core.SharingLog;
using ChainGateway.Core.Signals;
using ChainGateway.Core.Subjects;
using ChainGateway.Core.Telemetry;
using ChainGateway.Node.Auth;
using ChainGateway.Node.Delivery;
using ChainGateway.Node.Errors;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ChainGateway.Node.Match;

/// <summary>
/// The asking side of a match (DESIGN.md §6): validate → rate limits (user, partner) → rule (SubjectKnown, purpose,
/// role; default deny) → one signed query per partner carrying only pseudonym candidates → verify the signed answer
/// → keep only the contact fields the rule allows → log. Every partner is asked, or the call fails as a whole.
/// </summary>
public sealed class MatchAsker(SubjectMatching matching, INodeStore store, PeerClients peers, ILogger<MatchAsker> logger)
{
    private readonly MatchRateLimits limits = new(matching.Node);

    internal MatchRateLimits Limits => limits;

    public async Task<MatchResponse> MatchAsync(MatchRequest request, LocalUser user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(user);
        var node = matching.Node;
        var subject = SubjectRefs.ToSubject(request.Subject, "subject");
        if (request.Partners.Count == 0)
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, "name at least one partner", "partners");
        }
        for (var i = 0; i < request.Partners.Count; i++)
        {
            Identifiers.Require(request.Partners[i], $"partners[{i}]", "partner");
        }
        Identifiers.Require(request.Purpose, "purpose", "purpose");
        var now = node.Time.GetUtcNow();
        var partners = request.Partners.Distinct(StringComparer.Ordinal).ToList();
        try
        {
            limits.TakeUser(user.Subject);
        }
        catch (ChainGatewayException e)
        {
            await LogAsync(now, partners[0], user, request.Purpose, null, null, "denied", e.Reason, e.Message).ConfigureAwait(false);
            throw;
        }
        var asks = new List<(Core.Federation.Partner Partner, SharingRule Rule)>();
        foreach (var partnerId in partners)
        {
            if (partnerId == node.Organisation || !node.TrustList.TryGet(partnerId, out var partner))
            {
                await LogAsync(now, partnerId, user, request.Purpose, null, null, "denied", ReasonCode.UnknownPartner, "not a partner").ConfigureAwait(false);
                throw new ChainGatewayException(ReasonCode.UnknownPartner, $"'{partnerId}' is not a partner in the trust list", "partners",
                    new Dictionary<string, string> { ["partner"] = partnerId });
            }
            var decision = node.Rules.Evaluate(node.Organisation, partnerId, SignalTypes.SubjectKnown, request.Purpose, user.Roles, null);
            if (!decision.Allowed || decision.Rule is null)
            {
                var reason = decision.Reason ?? ReasonCode.RuleDenied;
                await LogAsync(now, partnerId, user, request.Purpose, decision.Rule, null, "denied", reason, decision.Message).ConfigureAwait(false);
                var metadata = new Dictionary<string, string> { ["partner"] = partnerId, ["purpose"] = request.Purpose, ["signal_type"] = SignalTypes.SubjectKnown };
                if (decision.Rule is not null)
                {
                    metadata["rule_id"] = decision.Rule.Id;
                }
                throw new ChainGatewayException(reason, decision.Message, metadata: metadata);
            }
            try
            {
                limits.TakeAsked(partnerId);
            }
            catch (ChainGatewayException e)
            {
                await LogAsync(now, partnerId, user, request.Purpose, decision.Rule, null, "denied", e.Reason, e.Message).ConfigureAwait(false);
                throw;
            }
            asks.Add((partner, decision.Rule));
        }
        var response = new MatchResponse();
        if (asks is [var only])
        {
            // The usual case, one partner: no WhenAll array and task.
            response.Results.Add(await AskAsync(only.Partner, only.Rule, subject, request.Purpose, user, cancellationToken).ConfigureAwait(false));
            return response;
        }
        var results = await Task.WhenAll(asks.Select(a => AskAsync(a.Partner, a.Rule, subject, request.Purpose, user, cancellationToken))).ConfigureAwait(false);
        response.Results.AddRange(results);
        return response;
    }

    /// <summary>One partner asked, timed for <c>chaingateway.match.duration</c> (side asker).</summary>
    private async Task<MatchResult> AskAsync(Core.Federation.Partner partner, SharingRule rule, SubjectId subject, string purpose, LocalUser user,
        CancellationToken cancellationToken)
    {
        var started = matching.Node.Time.GetTimestamp();
        var outcome = "unavailable";
        try
        {
            var result = await AskOnceAsync(partner, rule, subject, purpose, user, cancellationToken).ConfigureAwait(false);
            outcome = result.Hit ? "hit" : "no-hit";
            return result;
        }
        catch (ChainGatewayException e)
        {
            outcome = e.Reason.ToWire();
            throw;
        }
        finally
        {
            ChainGatewayTelemetry.MatchDuration.Record(matching.Node.Time.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("side", "asker"),
                new KeyValuePair<string, object?>("partner", partner.Id), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    private async Task<MatchResult> AskOnceAsync(Core.Federation.Partner partner, SharingRule rule, SubjectId subject, string purpose, LocalUser user,
        CancellationToken cancellationToken)
    {
        var node = matching.Node;
        var now = node.Time.GetUtcNow();
        var generations = matching.KeyRing.Generations(partner.Id, now);
        if (generations.Count == 0)
        {
            ChainGatewayException.Throw(ReasonCode.UnknownKey, $"no pseudonym key pair with '{partner.Id}' is valid now",
                metadata: new Dictionary<string, string> { ["partner"] = partner.Id });
        }
        var queryId = MessageId.New(node.Time);
        var body = new MatchQueryBody
        {
            QueryId = ByteString.CopyFrom(MessageId.ToBytes(queryId)),
            Asker = node.Organisation,
            Answerer = partner.Id,
            Purpose = purpose,
            RuleId = rule.Id,
            AgreementHash = ByteString.CopyFrom(node.AgreementHash),
            CreatedAt = Timestamp.FromDateTimeOffset(now),
            AskerSigningKeyId = node.Keys.SigningKeyId,
            Traceparent = Activity.Current?.Id ?? string.Empty,
        };
        foreach (var generation in generations)
        {
            body.Candidates.Add(new PseudonymCandidate
            {
                Pseudonym = ByteString.CopyFrom(matching.KeyRing.Pseudonym(generation, subject)),
                AskerKeyId = generation.OwnKeyId,
                AnswererKeyId = generation.PartnerKeyId,
            });
        }
        var pseudonyms = string.Join(',', body.Candidates.Select(c => Convert.ToHexStringLower(c.Pseudonym.Span)));
        var query = MatchSignatures.Sign(body, node.Keys.Signing);
        SignedMatchAnswer signedAnswer;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(Math.Max(1, node.Configuration.Match.AnswerTimeoutSeconds)), node.Time);
        using var call = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            signedAnswer = await peers.For(partner.Id).MatchAsync(query, cancellationToken: call.Token).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            var reason = ErrorMapping.ReasonOf(e);
            await LogAsync(now, partner.Id, user, purpose, rule, pseudonyms, "rejected", reason, $"the partner answered {e.StatusCode}: {e.Status.Detail}", queryId).ConfigureAwait(false);
            if (reason is null)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, $"'{partner.Id}' could not be asked: {e.Status.Detail}"));
            }
            var info = e.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>();
            var metadata = info?.Metadata.ToDictionary(m => m.Key, m => m.Value) ?? [];
            metadata["partner"] = partner.Id;
            throw new ChainGatewayException(reason.Value, $"'{partner.Id}' refused the question: {e.Status.Detail}", metadata: metadata);
        }
        MatchAnswerBody answer;
        try
        {
            answer = VerifyAnswer(partner, query, signedAnswer, now);
        }
        catch (ChainGatewayException e)
        {
            // The question went out and the partner logged it: this log records it too (by its query id), with why the
            // answer was not taken, so the two logs still pair up.
            await LogAsync(now, partner.Id, user, purpose, rule, pseudonyms, "rejected", e.Reason, $"the partner's answer was not taken: {e.Message}", queryId)
                .ConfigureAwait(false);
            throw;
        }
        var outcome = answer.Hit ? "hit" : "no-hit";
        await LogAsync(now, partner.Id, user, purpose, rule, pseudonyms, "ok", null, $"{outcome}; their log index {answer.LogIndex}", queryId).ConfigureAwait(false);
        MatchLog.Asked(logger, partner.Id, purpose, rule.Id, outcome);
        MatchTelemetry.Questions.Add(1, new KeyValuePair<string, object?>("side", "asker"), new KeyValuePair<string, object?>("outcome", outcome));
        return new MatchResult
        {
            Partner = partner.Id,
            Hit = answer.Hit,
            // Our own copy of the rule bounds what we pass on, whatever the partner sent; and a partner's contact point is
            // its own (it registers its contacts under its own id): it cannot name another organisation as the contact.
            Contact = answer.Hit ? ContactPoints.Minimise(OfAnswerer(answer.Contact, partner.Id), rule.AllowedFields) : null,
            RuleId = rule.Id,
            Answer = signedAnswer.ToByteString(),
        };
    }

    private static ContactPoint OfAnswerer(ContactPoint? contact, string answerer)
    {
        var own = contact?.Clone() ?? new ContactPoint();
        own.Organisation = answerer;
        return own;
    }

    private static MatchAnswerBody VerifyAnswer(Core.Federation.Partner partner, SignedMatchQuery query, SignedMatchAnswer signed, DateTimeOffset now)
    {
        MatchAnswerBody? unverified;
        try
        {
            unverified = MatchAnswerBody.Parser.ParseFrom(signed.Body);
        }
        catch (InvalidProtocolBufferException)
        {
            unverified = null;
        }
        var key = unverified is null ? null : partner.FindSigningKey(unverified.AnswererSigningKeyId, now);
        var answer = key is null ? null : MatchSignatures.Verify(signed, key.Key);
        if (answer is null || answer.Answerer != partner.Id || !answer.QueryHash.Span.SequenceEqual(MatchSignatures.QueryHash(query)))
        {
            ChainGatewayException.Throw(ReasonCode.BadSignature, $"the answer of '{partner.Id}' does not verify against its listed key and this query",
                metadata: new Dictionary<string, string> { ["partner"] = partner.Id });
        }
        return answer;
    }

    private Task<long> LogAsync(DateTimeOffset now, string partner, LocalUser user, string purpose, SharingRule? rule, string? pseudonyms,
        string outcome, ReasonCode? reason, string detail, Guid? queryId = null) =>
        store.AppendLogAsync(new LogEntry
        {
            Time = now,
            // The query's id, also in the answerer's entry: a privacy officer pairs the two logs' entries by it.
            MessageId = queryId,
            // Refused before anything was asked: a denial like a refused send; otherwise the exchange itself.
            Event = outcome == "denied" ? LogEvent.Denied : LogEvent.Matched,
            Partner = partner,
            User = user.Subject,
            Purpose = purpose,
            ProcessingActivity = rule?.ProcessingActivity,
            RuleId = rule?.Id,
            SignalType = SignalTypes.SubjectKnown,
            SubjectPseudonym = pseudonyms,
            Outcome = outcome,
            ReasonCode = reason?.ToWire(),
            Detail = detail,
            TraceId = Activity.Current?.TraceId.ToString(),
            SpanId = Activity.Current?.SpanId.ToString(),
        }, CancellationToken.None);
}
