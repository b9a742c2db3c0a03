using ChainGateway.Contracts.V1;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.Errors;
using ChainGateway.Core.SharingLog;
using ChainGateway.Core.Signals;
using ChainGateway.Core.Subjects;
using ChainGateway.Node.Errors;
using ChainGateway.Node.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ChainGateway.Node.Tests.Match;

public sealed class MatchTests : IAsyncLifetime
{
    private const string Known = HandBuilt.Bsn;
    private const string Unknown = "111222333";
    private TestFederation federation = null!;
    private Hosting.ChainNode politie = null!;
    private Hosting.ChainNode om = null!;

    public async Task InitializeAsync()
    {
        federation = TestFederation.CreateWithAgreement(MatchAgreement.Json, MatchAgreement.Organisations);
        politie = await federation.StartAsync("politie");
        om = await federation.StartAsync("om");
    }

    public async Task DisposeAsync() => await federation.DisposeAsync();

    [Fact]
    public async Task KnownAndUnknownSubjects_AreHitAndNoHit_AcrossTwoNodes_AndBothEndsLogIt()
    {
        using var omClient = federation.Client("om");
        Assert.Equal(2u, (await omClient.RegisterAsync(MatchCalls.Bsn(Known), new SubjectRef { LocalId = "OM-2026-17" })).Registered);
        using var asker = federation.Client("politie");

        var hit = Assert.Single((await asker.MatchAsync(MatchCalls.Bsn(Known), "case-direction", "om")).Results);
        var miss = Assert.Single((await asker.MatchAsync(MatchCalls.Bsn(Unknown), "case-direction", "om")).Results);

        Assert.True(hit.Hit);
        Assert.Equal("politie-asks-om", hit.RuleId);
        Assert.False(miss.Hit);
        Assert.Null(miss.Contact);

        // The answer is om's, signed, and bound to the question.
        var answer = SignedMatchAnswer.Parser.ParseFrom(hit.Answer);
        Assert.True(politie.Context.TrustList.TryGet("om", out var omPartner));
        var body = MatchSignatures.Verify(answer, omPartner.SigningKeys[0].Key);
        Assert.NotNull(body);
        Assert.True(body.Hit);

        var asked = (await politie.Store.ReadLogAsync(0, 100, default)).Where(e => e.Event == LogEvent.Matched).ToList();
        var answered = (await om.Store.ReadLogAsync(0, 100, default)).Where(e => e.Event == LogEvent.Matched).ToList();
        Assert.Equal(2, asked.Count);
        Assert.Equal(2, answered.Count);
        Assert.All(asked.Concat(answered), e => Assert.Equal(SignalTypes.SubjectKnown, e.SignalType));
        Assert.Equal(asked[0].SubjectPseudonym, answered[0].SubjectPseudonym);
        Assert.Equal("hit", answered[0].Detail);
        Assert.Equal("no-hit", answered[1].Detail);
        Assert.Equal((long)body.LogIndex, answered[0].Index);
    }

    [Fact]
    public async Task Hit_ReturnsOnlyTheContactFieldsThePartnersRuleAllows()
    {
        using var omClient = federation.Client("om");
        await omClient.RegisterAsync(MatchCalls.Bsn(Known));
        using var asker = federation.Client("politie");

        var result = Assert.Single((await asker.MatchAsync(MatchCalls.Bsn(Known), "case-direction", "om")).Results);

        Assert.True(result.Hit);
        Assert.Equal("om", result.Contact.Organisation);
        Assert.Equal(MatchCalls.Function, result.Contact.Function);
        Assert.Equal(MatchCalls.WorkPhone, result.Contact.WorkPhone);
        // 'politie-asks-om' does not allow the e-mail address: om never sent it.
        Assert.Equal(string.Empty, result.Contact.WorkEmail);
        var body = MatchAnswerBody.Parser.ParseFrom(SignedMatchAnswer.Parser.ParseFrom(result.Answer).Body);
        Assert.Equal(string.Empty, body.Contact.WorkEmail);
    }

    [Fact]
    public async Task RemovedSubject_IsNoLongerAHit()
    {
        using var omClient = federation.Client("om");
        await omClient.RegisterAsync(MatchCalls.Bsn(Known));
        using var asker = federation.Client("politie");
        Assert.True(Assert.Single((await asker.MatchAsync(MatchCalls.Bsn(Known), "case-direction", "om")).Results).Hit);

        var removed = await omClient.Api.RemoveSubjectsAsync(new RemoveSubjectsRequest { Subjects = { MatchCalls.Bsn(Known) } }, omClient.Headers);

        Assert.Equal(1u, removed.Removed);
        Assert.False(Assert.Single((await asker.MatchAsync(MatchCalls.Bsn(Known), "case-direction", "om")).Results).Hit);
    }

    [Fact]
    public async Task PurposeOrPartnerWithoutRule_IsRuleDenied_AndLoggedAtBothEnds()
    {
        using var omClient = federation.Client("om");
        await omClient.RegisterAsync(MatchCalls.Bsn(Known));
        using var asker = federation.Client("politie");

        // Asking side: no rule for this purpose; no rule lets om ask politie.
        var purpose = await Assert.ThrowsAsync<RpcException>(() => asker.MatchAsync(MatchCalls.Bsn(Known), "victim-contact", "om"));
        Assert.Equal(ReasonCode.RuleDenied, ErrorMapping.ReasonOf(purpose));
        var partner = await Assert.ThrowsAsync<RpcException>(() => omClient.MatchAsync(MatchCalls.Bsn(Known), "case-direction", "politie"));
        Assert.Equal(ReasonCode.RuleDenied, ErrorMapping.ReasonOf(partner));
        Assert.Contains(await politie.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Denied && e.SignalType == SignalTypes.SubjectKnown
            && e.ReasonCode == "RULE_DENIED" && e.Partner == "om" && e.Purpose == "victim-contact");
        Assert.Contains(await om.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Denied && e.SignalType == SignalTypes.SubjectKnown
            && e.ReasonCode == "RULE_DENIED" && e.Partner == "politie");

        // Answering side: a correctly signed question that om's own copy of the agreement does not allow.
        var query = Query(politie, "om", "victim-contact", "politie-asks-om");
        using var certificate = HandBuilt.Usable(politie.Context.TlsCertificate);
        var client = HandBuilt.PeerClient(om.Context.Configuration.Peer.Listen, certificate, politie.Context.FederationCa, out var channel);
        using (channel)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => client.MatchAsync(query).ResponseAsync);
            Assert.Equal(ReasonCode.RuleDenied, ErrorMapping.ReasonOf(refused));
        }
        Assert.Contains(await om.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Rejected && e.SignalType == SignalTypes.SubjectKnown
            && e.ReasonCode == "RULE_DENIED" && e.Partner == "politie" && e.Purpose == "victim-contact");
    }

    [Fact]
    public async Task ReplayedQuery_IsRefusedAsReplayed_AndLoggedOnce_WhileANewQueryIsAnswered()
    {
        using var omClient = federation.Client("om");
        await omClient.RegisterAsync(MatchCalls.Bsn(Known), new SubjectRef { LocalId = "OM-2026-17" });
        var query = Query(politie, "om", "case-direction", "politie-asks-om");
        Assert.True(MessageId.TryFromBytes(MatchSignatures.ParseUnverified(query)!.QueryId.Span, out var queryId));
        Assert.True(politie.Context.TrustList.TryGet("om", out var omPartner));
        MatchAnswerBody Open(SignedMatchAnswer answer) => MatchSignatures.Verify(answer, omPartner.SigningKeys[0].Key)!;
        using var certificate = HandBuilt.Usable(politie.Context.TlsCertificate);
        var client = HandBuilt.PeerClient(om.Context.Configuration.Peer.Listen, certificate, politie.Context.FederationCa, out var channel);
        MatchAnswerBody first;
        using (channel)
        {
            first = Open(await client.MatchAsync(query).ResponseAsync);
            Assert.True(first.Hit);

            // The same signed bytes again, and again: refused, with the query id named.
            for (var i = 0; i < 2; i++)
            {
                var refused = await Assert.ThrowsAsync<RpcException>(() => client.MatchAsync(query).ResponseAsync);
                Assert.Equal(ReasonCode.Replayed, ErrorMapping.ReasonOf(refused));
                Assert.Equal(queryId.ToString(), refused.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>().Metadata["query_id"]);
            }

            // A new question (a new query id) is answered as before.
            Assert.True(Open(await client.MatchAsync(Query(politie, "om", "case-direction", "politie-asks-om")).ResponseAsync).Hit);
        }

        var log = await om.Store.ReadLogAsync(0, 100, default);
        var answered = Assert.Single(log, e => e.Event == LogEvent.Matched && e.MessageId == queryId);
        Assert.Equal((long)first.LogIndex, answered.Index);
        Assert.Equal(2, log.Count(e => e.Event == LogEvent.Rejected && e.MessageId == queryId && e.ReasonCode == "REPLAYED"));
        Assert.Equal(2, log.Count(e => e.Event == LogEvent.Matched));
    }

    [Fact]
    public async Task AskerAndAnswerer_NameTheSameQueryId_InTheirLogEntries()
    {
        using var omClient = federation.Client("om");
        await omClient.RegisterAsync(MatchCalls.Bsn(Known), new SubjectRef { LocalId = "OM-2026-17" });
        using var asker = federation.Client("politie");
        Assert.True(Assert.Single((await asker.MatchAsync(MatchCalls.Bsn(Known), "case-direction", "om")).Results).Hit);

        var asked = Assert.Single(await politie.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Matched);
        var answered = Assert.Single(await om.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Matched);
        Assert.NotNull(asked.MessageId);
        Assert.Equal(asked.MessageId, answered.MessageId);
    }

    [Fact]
    public async Task SignedQueryRefusedAfterItsSignatureVerified_NamesItsQueryIdInTheAnswerersRejectedEntry()
    {
        // Validly signed by politie, each refused for what it says: the answerer's entry must pair with the asker's by query id.
        var refusals = new (Action<MatchQueryBody> Change, ReasonCode Reason)[]
        {
            (b => b.AgreementHash = ByteString.CopyFrom(new byte[32]), ReasonCode.AgreementMismatch),
            (b => b.CreatedAt = Timestamp.FromDateTimeOffset(om.Context.Time.GetUtcNow().AddHours(-1)), ReasonCode.ClockSkew),
            (b => b.Asker = "veilig-thuis", ReasonCode.SenderMismatch),
            // Nine candidates: the entry names the query id, but not pseudonyms of a shape no query may carry.
            (b => b.Candidates.AddRange(Enumerable.Repeat(b.Candidates[0], 8)), ReasonCode.Malformed),
        };
        using var certificate = HandBuilt.Usable(politie.Context.TlsCertificate);
        var client = HandBuilt.PeerClient(om.Context.Configuration.Peer.Listen, certificate, politie.Context.FederationCa, out var channel);
        var queries = new List<(Guid Id, string? Pseudonym, ReasonCode Reason)>();
        using (channel)
        {
            foreach (var (change, reason) in refusals)
            {
                var body = MatchSignatures.ParseUnverified(Query(politie, "om", "case-direction", "politie-asks-om"))!;
                change(body);
                Assert.True(MessageId.TryFromBytes(body.QueryId.Span, out var queryId));
                var refused = await Assert.ThrowsAsync<RpcException>(() => client.MatchAsync(MatchSignatures.Sign(body, politie.Context.Keys.Signing)).ResponseAsync);
                Assert.Equal(reason, ErrorMapping.ReasonOf(refused));
                queries.Add((queryId, reason == ReasonCode.Malformed ? null : Convert.ToHexStringLower(body.Candidates[0].Pseudonym.Span), reason));
            }
        }
        var log = await om.Store.ReadLogAsync(0, 100, default);
        foreach (var (queryId, pseudonym, reason) in queries)
        {
            var entry = Assert.Single(log, e => e.Event == LogEvent.Rejected && e.ReasonCode == reason.ToWire());
            Assert.Equal(queryId, entry.MessageId);
            Assert.Equal(("politie", "case-direction", "politie-asks-om"), (entry.Partner, entry.Purpose, entry.RuleId));
            Assert.Equal(pseudonym, entry.SubjectPseudonym);
        }
    }

    [Fact]
    public async Task SeveralSubjectsInOneQuery_AreMalformed_NotOneGuessPerCandidate()
    {
        using var omClient = federation.Client("om");
        await omClient.RegisterAsync(MatchCalls.Bsn(Known), new SubjectRef { LocalId = "OM-2026-17" });
        // Eight identifiers under one key pair, one of them registered: a hit would tell the asker one of eight guesses is known.
        var query = Query(politie, "om", "case-direction", "politie-asks-om", "100023757", "100039595", "100126704", "100174218", "100372193", "100419707", "100475140");
        using var certificate = HandBuilt.Usable(politie.Context.TlsCertificate);
        var client = HandBuilt.PeerClient(om.Context.Configuration.Peer.Listen, certificate, politie.Context.FederationCa, out var channel);
        using (channel)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => client.MatchAsync(query).ResponseAsync);
            Assert.Equal(ReasonCode.Malformed, ErrorMapping.ReasonOf(refused));
        }
        Assert.Contains(await om.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Rejected && e.ReasonCode == "MALFORMED");
        Assert.DoesNotContain(await om.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Matched);
    }

    [Fact]
    public async Task OverlongPurpose_IsMalformed_BeforeAnythingIsLogged()
    {
        using var asker = federation.Client("politie");
        var error = await Assert.ThrowsAsync<RpcException>(() => asker.MatchAsync(MatchCalls.Bsn(Known), new string('x', 5000), "om"));
        Assert.Equal(ReasonCode.Malformed, ErrorMapping.ReasonOf(error));
        Assert.DoesNotContain(await politie.Store.ReadLogAsync(0, 100, default), e => e.SignalType == "SubjectKnown");
    }

    [Fact]
    public async Task QuerySignedByAnotherKey_IsBadSignature()
    {
        var query = Query(politie, "om", "case-direction", "politie-asks-om");
        var forged = query.Clone();
        var signature = forged.Signature.ToByteArray();
        signature[0] ^= 1;
        forged.Signature = ByteString.CopyFrom(signature);
        using var certificate = HandBuilt.Usable(politie.Context.TlsCertificate);
        var client = HandBuilt.PeerClient(om.Context.Configuration.Peer.Listen, certificate, politie.Context.FederationCa, out var channel);
        using (channel)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => client.MatchAsync(forged).ResponseAsync);
            Assert.Equal(ReasonCode.BadSignature, ErrorMapping.ReasonOf(refused));
        }
    }

    [Fact]
    public async Task InvalidBsn_IsMalformed_NamingTheElevenCheckAndTheField()
    {
        using var asker = federation.Client("politie");
        var error = await Assert.ThrowsAsync<RpcException>(() => asker.MatchAsync(MatchCalls.Bsn("123456789"), "case-direction", "om"));
        Assert.Equal(ReasonCode.Malformed, ErrorMapping.ReasonOf(error));
        var violation = Assert.Single(error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations);
        Assert.Equal("subject.bsn", violation.Field);
        Assert.Contains("11-check", violation.Description, StringComparison.Ordinal);

        using var omClient = federation.Client("om");
        var register = await Assert.ThrowsAsync<RpcException>(() => omClient.RegisterAsync(MatchCalls.Bsn(Known), MatchCalls.Bsn("123456789")));
        Assert.Equal(ReasonCode.Malformed, ErrorMapping.ReasonOf(register));
        Assert.Equal("subjects[1].subject.bsn", register.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations[0].Field);
    }

    [Fact]
    public async Task ContactPoint_FollowsTheCataloguesRules_NoFreeText()
    {
        using var omClient = federation.Client("om");
        var request = new RegisterSubjectsRequest();
        request.Subjects.Add(new SubjectRegistration
        {
            Subject = new SubjectRef { Bsn = Known },
            Contact = new ContactPoint { Function = "casusregisseur", WorkPhone = "bel mevrouw de Vries" },
        });
        var error = await Assert.ThrowsAsync<RpcException>(() => omClient.Api.RegisterSubjectsAsync(request, omClient.Headers).ResponseAsync);
        Assert.Equal(ReasonCode.Malformed, ErrorMapping.ReasonOf(error));
        Assert.Equal("subjects[0].contact.work_phone", Assert.Single(error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations).Field);
    }

    [Fact]
    public async Task PseudonymsForTwoPartners_Differ()
    {
        await federation.StartAsync("veilig-thuis");
        using (var omClient = federation.Client("om"))
        using (var vtClient = federation.Client("veilig-thuis"))
        {
            await omClient.RegisterAsync(MatchCalls.Bsn(Known));
            await vtClient.RegisterAsync(MatchCalls.Bsn(Known));
        }
        using var asker = federation.Client("politie");

        var results = (await asker.MatchAsync(MatchCalls.Bsn(Known), "case-direction", "om", "veilig-thuis")).Results;

        Assert.All(results, r => Assert.True(r.Hit));
        Assert.Equal(MatchCalls.WorkEmail, results.Single(r => r.Partner == "veilig-thuis").Contact.WorkEmail);
        var log = (await politie.Store.ReadLogAsync(0, 100, default)).Where(e => e.Event == LogEvent.Matched).ToList();
        var toOm = log.Single(e => e.Partner == "om").SubjectPseudonym;
        var toVt = log.Single(e => e.Partner == "veilig-thuis").SubjectPseudonym;
        Assert.NotNull(toOm);
        Assert.NotEqual(toOm, toVt);
    }

    [Fact]
    public async Task QueryWithAHugePurpose_OrATimeNoTimestampHolds_IsMalformed_WithItsField_AndItsEntryIsSmall()
    {
        var huge = Query(politie, "om", new string('x', 100_000), "politie-asks-om");
        var body = MatchSignatures.ParseUnverified(Query(politie, "om", "case-direction", "politie-asks-om"))!;
        body.CreatedAt = new Timestamp { Seconds = long.MaxValue };
        var timeless = MatchSignatures.Sign(body, politie.Context.Keys.Signing);
        using var certificate = HandBuilt.Usable(politie.Context.TlsCertificate);
        var client = HandBuilt.PeerClient(om.Context.Configuration.Peer.Listen, certificate, politie.Context.FederationCa, out var channel);
        using (channel)
        {
            foreach (var (query, field) in new[] { (huge, "purpose"), (timeless, "created_at") })
            {
                var refused = await Assert.ThrowsAsync<RpcException>(() => client.MatchAsync(query).ResponseAsync);
                Assert.Equal(ReasonCode.Malformed, ErrorMapping.ReasonOf(refused));
                Assert.Equal(field, Assert.Single(refused.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations).Field);
            }
        }
        var rejected = (await om.Store.ReadLogAsync(0, 100, default)).Where(e => e.Event == LogEvent.Rejected).ToList();
        Assert.Equal(2, rejected.Count);
        Assert.All(rejected, e => Assert.True(LogEntryEncoding.Encode(e).Length < 1024));
    }

    internal static SignedMatchQuery Query(Hosting.ChainNode asker, string answerer, string purpose, string ruleId, params string[] moreSubjects)
    {
        var context = asker.Context;
        var now = context.Time.GetUtcNow();
        var ring = new PseudonymKeyRing(context.Keys, context.TrustList, context.Organisation);
        var generation = ring.Generations(answerer, now)[0];
        var body = new MatchQueryBody
        {
            QueryId = ByteString.CopyFrom(MessageId.ToBytes(MessageId.New(context.Time))),
            Asker = context.Organisation,
            Answerer = answerer,
            Purpose = purpose,
            RuleId = ruleId,
            AgreementHash = ByteString.CopyFrom(context.AgreementHash),
            CreatedAt = Timestamp.FromDateTimeOffset(now),
            AskerSigningKeyId = context.Keys.SigningKeyId,
            Candidates =
            {
                new PseudonymCandidate
                {
                    Pseudonym = ByteString.CopyFrom(ring.Pseudonym(generation, SubjectId.Bsn(Known, "subject"))),
                    AskerKeyId = generation.OwnKeyId,
                    AnswererKeyId = generation.PartnerKeyId,
                },
            },
        };
        foreach (var bsn in moreSubjects)
        {
            body.Candidates.Add(new PseudonymCandidate
            {
                Pseudonym = ByteString.CopyFrom(ring.Pseudonym(generation, SubjectId.Bsn(bsn, "subject"))),
                AskerKeyId = generation.OwnKeyId,
                AnswererKeyId = generation.PartnerKeyId,
            });
        }
        return MatchSignatures.Sign(body, context.Keys.Signing);
    }
}
