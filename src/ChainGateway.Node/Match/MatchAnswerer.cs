using System.Diagnostics;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Federation;
using ChainGateway.Core.SharingLog;
using ChainGateway.Core.Signals;
using ChainGateway.Core.Subjects;
using ChainGateway.Core.Telemetry;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;

namespace ChainGateway.Node.Match;

/// <summary>
/// The answering side of a match (DESIGN.md §6): peer identity (mTLS) → rate limit per partner → verify the asker's
/// signature → asker and agreement checks → this node's own copy of the SubjectKnown rule (default deny) → one index
/// read per pseudonym candidate of a currently valid key pair → log → signed answer with only the contact fields the
/// rule allows. Every refusal is answered with its reason code and logged; of a run of RATE_LIMITED refusals only the
/// first, so a partner asking in a loop cannot grow the log faster than its rate limit lets it.
/// </summary>
public sealed class MatchAnswerer(SubjectMatching matching, ISubjectIndex index, INodeStore store, ILogger<MatchAnswerer> logger)
{
    private readonly MatchRateLimits limits = new(matching.Node);

    public async Task<SignedMatchAnswer> AnswerAsync(string peer, SignedMatchQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var node = matching.Node;
        // The peer is the organisation its TLS certificate names, and PeerIdentity refused any the trust list does not:
        // checked again because the rate limit's buckets are keyed by it, and nothing is logged for an unlisted caller.
        if (!node.TrustList.TryGet(peer, out var partner))
        {
            ChainGatewayException.Throw(ReasonCode.UnknownPartner, $"'{peer}' is not in the trust list",
                metadata: new Dictionary<string, string> { ["partner"] = peer });
        }
        var started = node.Time.GetTimestamp();
        var now = node.Time.GetUtcNow();
        MatchQueryBody? body = null;
        var measured = "unavailable";
        var logged = true;
        try
        {
            // The partner's token first, before anything it sent is read: every refusal below is logged, so a refused
            // question must cost a token as an answered one does, or a partner sending garbage or stale queries in a loop
            // would grow this node's log without limit.
            if (!limits.TryTakeAsker(peer, out var limited, out var refusedBefore))
            {
                logged = !refusedBefore;
                throw limited;
            }
            // Assigned as soon as the signature verifies, so that a refusal of a signed query names its query id (and purpose,
            // rule, pseudonyms) as the asker's entry does: the two logs pair by it (chaingw log reconcile).
            body = Authenticate(partner, query, now);
            Check(peer, body, now);
            var decision = node.Rules.Evaluate(peer, node.Organisation, SignalTypes.SubjectKnown, body.Purpose, null, null);
            if (!decision.Allowed || decision.Rule is null)
            {
                throw new ChainGatewayException(decision.Reason ?? ReasonCode.RuleDenied, decision.Message,
                    metadata: new Dictionary<string, string> { ["purpose"] = body.Purpose, ["signal_type"] = SignalTypes.SubjectKnown });
            }
            var rule = decision.Rule;
            if (rule.Id != body.RuleId)
            {
                ChainGatewayException.Throw(ReasonCode.RuleDenied,
                    $"the asker names rule '{body.RuleId}' but this node's agreement allows the question only under '{rule.Id}'",
                    metadata: new Dictionary<string, string> { ["rule_id"] = body.RuleId });
            }
            var candidates = Candidates(body, matching.KeyRing.Generations(peer, now));
            var hit = await index.FindSubjectAsync(peer, candidates, cancellationToken).ConfigureAwait(false);
            var outcome = hit is null ? "no-hit" : "hit";
            long logIndex;
            try
            {
                // The entry names the query id, which the log takes once per asking partner (migration 8).
                logIndex = await store.AppendLogAsync(Entry(now, peer, body, "ok", null, outcome) with
                {
                    ProcessingActivity = rule.ProcessingActivity,
                    RuleId = rule.Id,
                }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (DuplicateLogEntryException)
            {
                var queryId = QueryId(body)!.Value.ToString();
                throw new ChainGatewayException(ReasonCode.Replayed,
                    $"query {queryId} of '{peer}' was answered before; a new question needs a new query id",
                    metadata: new Dictionary<string, string> { ["query_id"] = queryId });
            }
            measured = outcome;
            MatchLog.Answered(logger, peer, body.Purpose, rule.Id, outcome, logIndex);
            MatchTelemetry.Questions.Add(1, new KeyValuePair<string, object?>("side", "answerer"), new KeyValuePair<string, object?>("outcome", outcome));
            return MatchSignatures.Sign(new MatchAnswerBody
            {
                QueryId = body.QueryId,
                QueryHash = ByteString.CopyFrom(MatchSignatures.QueryHash(query)),
                Answerer = node.Organisation,
                Hit = hit is not null,
                Contact = hit is null ? null : ContactPoints.Minimise(ContactPoint.Parser.ParseFrom(hit.Contact), rule.AllowedFields),
                RuleId = rule.Id,
                LogIndex = (ulong)logIndex,
                AnsweredAt = Timestamp.FromDateTimeOffset(now),
                AnswererSigningKeyId = node.Keys.SigningKeyId,
            }, node.Keys.Signing);
        }
        catch (ChainGatewayException e)
        {
            measured = e.Reason.ToWire();
            MatchTelemetry.Questions.Add(1, new KeyValuePair<string, object?>("side", "answerer"), new KeyValuePair<string, object?>("outcome", e.Reason.ToWire()));
            if (!logged)
            {
                // A run of RATE_LIMITED refusals is logged once, at its first: each entry more would cost the partner nothing.
                // The metric above counts every one.
                throw;
            }
            MatchLog.Refused(logger, peer, e.Reason.ToWire(), e.Message);
            await store.AppendLogAsync(Entry(now, peer, body, "rejected", e.Reason, e.Message), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        finally
        {
            ChainGatewayTelemetry.MatchDuration.Record(node.Time.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("side", "answerer"),
                new KeyValuePair<string, object?>("partner", peer), new KeyValuePair<string, object?>("outcome", measured));
        }
    }

    /// <summary>The query's body, once its signature verifies with a listed signing key of the peer valid now.</summary>
    private static MatchQueryBody Authenticate(Partner partner, SignedMatchQuery query, DateTimeOffset now)
    {
        var peer = partner.Id;
        // Parsed once: the unverified body names the signing key; it is used for nothing else until the signature verifies.
        var body = MatchSignatures.ParseUnverified(query)
            ?? throw new ChainGatewayException(ReasonCode.Malformed, "the query body does not parse", "body");
        // Bounded before anything is compared, echoed or logged (as an envelope header's names are).
        Identifiers.Require(body.Asker, "asker", "asker");
        Identifiers.Require(body.Answerer, "answerer", "answerer");
        Identifiers.Require(body.Purpose, "purpose", "purpose");
        Identifiers.Require(body.RuleId, "rule_id", "rule id");
        Identifiers.Require(body.AskerSigningKeyId, "asker_signing_key_id", "signing key id");
        var keyId = body.AskerSigningKeyId;
        var key = partner.FindSigningKey(keyId, now)
            ?? throw new ChainGatewayException(ReasonCode.UnknownKey, $"'{peer}' has no signing key {keyId} valid now");
        if (!MatchSignatures.VerifySignature(query, key.Key))
        {
            ChainGatewayException.Throw(ReasonCode.BadSignature, $"the query does not verify with the signing key {keyId} of '{peer}'");
        }
        return body;
    }

    /// <summary>The checks of a signed query's content: who it is from and for, under which agreement, when, and what it asks.</summary>
    private void Check(string peer, MatchQueryBody body, DateTimeOffset now)
    {
        var node = matching.Node;
        if (body.Asker != peer)
        {
            ChainGatewayException.Throw(ReasonCode.SenderMismatch, $"the query says it is from '{body.Asker}' but the peer is '{peer}'");
        }
        if (body.Answerer != node.Organisation)
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, $"the query is for '{body.Answerer}', not '{node.Organisation}'", "answerer");
        }
        if (!body.AgreementHash.Span.SequenceEqual(node.AgreementHash))
        {
            ChainGatewayException.Throw(ReasonCode.AgreementMismatch, "the query names another agreement than the one in force here");
        }
        if ((WireTime.Require(body.CreatedAt, "created_at") - now).Duration() > node.Limits.MaxClockSkew)
        {
            ChainGatewayException.Throw(ReasonCode.ClockSkew, "the query's created-at is outside the allowed clock skew", "created_at");
        }
        if (QueryId(body) is null)
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, "the query id is not a UUIDv7 of 16 bytes", "query_id");
        }
        if (!WellFormed(body.Candidates))
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, $"a query carries 1 to 8 candidates of {PairwisePseudonymizer.Size}-byte pseudonyms", "candidates");
        }
        // One subject per question: its pseudonym under each key pair (one, or two while keys rotate). Several candidates of
        // one key pair can only be several subjects, each a guess: eight of them per query would let a partner try eight
        // identifiers for one unit of its rate limit (DESIGN.md §6: the limit is what keeps this from being an oracle). Distinct
        // labels alone do not make one subject: the index answers each candidate only from its labelled key pair's rows.
        if (body.Candidates.GroupBy(c => (c.AskerKeyId, c.AnswererKeyId)).Any(g => g.Count() > 1))
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, "a query asks about one subject: one candidate per key pair", "candidates");
        }
    }

    /// <summary>
    /// The pseudonyms of candidates made with a key pair valid now (at most 8 candidates, a generation or two), each with the
    /// generation its key ids name: the index answers a candidate only from that generation's rows.
    /// </summary>
    private static List<(byte[] Pseudonym, string Generation)> Candidates(MatchQueryBody body, IReadOnlyList<PseudonymGeneration> valid)
    {
        var candidates = new List<(byte[], string)>(body.Candidates.Count);
        foreach (var candidate in body.Candidates)
        {
            foreach (var generation in valid)
            {
                if (generation.OwnKeyId == candidate.AnswererKeyId && generation.PartnerKeyId == candidate.AskerKeyId)
                {
                    candidates.Add((candidate.Pseudonym.ToByteArray(), generation.Id));
                    break;
                }
            }
        }
        return candidates;
    }

    private static bool WellFormed(RepeatedField<PseudonymCandidate> candidates) =>
        candidates.Count is >= 1 and <= 8 && candidates.All(c => c.Pseudonym.Length == PairwisePseudonymizer.Size);

    /// <summary>The query's id, or null if it is not a UUIDv7 (refused as MALFORMED).</summary>
    private static Guid? QueryId(MatchQueryBody? body) =>
        body is not null && MessageId.TryFromBytes(body.QueryId.Span, out var id) ? id : null;

    private static LogEntry Entry(DateTimeOffset now, string peer, MatchQueryBody? body, string outcome, ReasonCode? reason, string detail) => new()
    {
        Time = now,
        MessageId = QueryId(body),
        Event = reason is null ? LogEvent.Matched : LogEvent.Rejected,
        Partner = peer,
        Purpose = body?.Purpose,
        RuleId = body?.RuleId,
        SignalType = SignalTypes.SubjectKnown,
        // Only candidates of the shape a query may carry (1 to 8 pseudonyms of 32 bytes): a signed query refused for its
        // candidates could otherwise make its entry as large as the message.
        SubjectPseudonym = body is null || !WellFormed(body.Candidates) ? null
            : string.Join(',', body.Candidates.Select(c => Convert.ToHexStringLower(c.Pseudonym.Span))),
        Outcome = outcome,
        ReasonCode = reason?.ToWire(),
        Detail = detail,
        TraceId = Activity.Current?.TraceId.ToString(),
        SpanId = Activity.Current?.SpanId.ToString(),
    };
}
