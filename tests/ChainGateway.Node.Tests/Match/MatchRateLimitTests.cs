using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Core.SharingLog;
using ChainGateway.Core.Signals;
using ChainGateway.Core.Subjects;
using ChainGateway.Node.Errors;
using ChainGateway.Node.Federation;
using ChainGateway.Node.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace ChainGateway.Node.Tests.Match;

public sealed class MatchRateLimitTests
{
    private const string Known = HandBuilt.Bsn;

    [Fact]
    public async Task UserOverTheLimit_IsRateLimitedWithRetryAfter_AndTheLimitRecovers()
    {
        await using var federation = TestFederation.CreateWithAgreement(MatchAgreement.Json, MatchAgreement.Organisations);
        federation.ConfigureMatch("politie", m => (m.PerUserBurst, m.PerUserPerMinute) = (2, 6));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var politie = await federation.StartAsync("politie", clock);
        await federation.StartAsync("om");
        using var asker = federation.Client("politie");

        await asker.MatchAsync(MatchCalls.Bsn(Known), "case-direction", "om");
        await asker.MatchAsync(MatchCalls.Bsn(Known), "case-direction", "om");
        var error = await Assert.ThrowsAsync<RpcException>(() => asker.MatchAsync(MatchCalls.Bsn(Known), "case-direction", "om"));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(ReasonCode.RateLimited, ErrorMapping.ReasonOf(error));
        var retryAfter = RetryAfter(error);
        Assert.InRange(retryAfter, 1, 10_000);
        Assert.Contains(await politie.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Denied && e.ReasonCode == "RATE_LIMITED");

        clock.Advance(TimeSpan.FromMilliseconds(retryAfter));
        Assert.Single((await asker.MatchAsync(MatchCalls.Bsn(Known), "case-direction", "om")).Results);
    }

    [Fact]
    public async Task PartnerOverTheAnswerersLimit_IsRateLimitedWithRetryAfter_AndTheLimitRecovers()
    {
        await using var federation = TestFederation.CreateWithAgreement(MatchAgreement.Json, MatchAgreement.Organisations);
        federation.ConfigureMatch("om", m => (m.PerPartnerBurst, m.PerPartnerPerMinute) = (1, 2));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await federation.StartAsync("politie");
        var om = await federation.StartAsync("om", clock);
        using var asker = federation.Client("politie");

        await asker.MatchAsync(MatchCalls.Bsn(Known), "case-direction", "om");
        var error = await Assert.ThrowsAsync<RpcException>(() => asker.MatchAsync(MatchCalls.Bsn(Known), "case-direction", "om"));

        Assert.Equal(ReasonCode.RateLimited, ErrorMapping.ReasonOf(error));
        var info = error.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>();
        Assert.Equal("om", info.Metadata["partner"]);
        var retryAfter = RetryAfter(error);
        Assert.InRange(retryAfter, 1, 30_000);
        Assert.Contains(await om.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Rejected && e.ReasonCode == "RATE_LIMITED" && e.Partner == "politie");

        clock.Advance(TimeSpan.FromMilliseconds(retryAfter));
        Assert.Single((await asker.MatchAsync(MatchCalls.Bsn(Known), "case-direction", "om")).Results);
    }

    [Fact]
    public async Task PartnerSendingBadQueriesInALoop_IsRateLimitedAfterTheBurst_AndLogsABoundedNumberOfEntries()
    {
        await using var federation = TestFederation.CreateWithAgreement(MatchAgreement.Json, MatchAgreement.Organisations);
        federation.ConfigureMatch("om", m => (m.PerPartnerBurst, m.PerPartnerPerMinute) = (1, 2));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var politie = await federation.StartAsync("politie");
        var om = await federation.StartAsync("om", clock);
        // A body that does not parse, and a validly signed query an hour old: each refused, neither answered.
        var garbage = new SignedMatchQuery { Body = ByteString.CopyFrom(0xff, 0xff, 0xff), Signature = ByteString.CopyFrom(new byte[64]) };
        var body = MatchSignatures.ParseUnverified(MatchTests.Query(politie, "om", "case-direction", "politie-asks-om"))!;
        body.CreatedAt = Timestamp.FromDateTimeOffset(clock.GetUtcNow().AddHours(-1));
        var stale = MatchSignatures.Sign(body, politie.Context.Keys.Signing);
        using var certificate = HandBuilt.Usable(politie.Context.TlsCertificate);
        var client = HandBuilt.PeerClient(om.Context.Configuration.Peer.Listen, certificate, politie.Context.FederationCa, out var channel);
        using var ca = X509Certificate2.CreateFromPemFile(Path.Combine(federation.Directory, "ca.crt.pem"), Path.Combine(federation.Directory, "ca.key.pem"));
        using var issued = DevCertificates.IssueOrganisationCertificate(ca, "onbekend", DateTimeOffset.UtcNow);
        using var outsiderCertificate = HandBuilt.Usable(issued);
        var outsider = HandBuilt.PeerClient(om.Context.Configuration.Peer.Listen, outsiderCertificate, politie.Context.FederationCa, out var outsiderChannel);
        using (channel)
        using (outsiderChannel)
        {
            async Task<List<ReasonCode?>> LoopAsync(int first, int questions)
            {
                var reasons = new List<ReasonCode?>();
                for (var i = first; i < first + questions; i++)
                {
                    var refused = await Assert.ThrowsAsync<RpcException>(() => client.MatchAsync(i % 2 == 0 ? garbage : stale).ResponseAsync);
                    reasons.Add(ErrorMapping.ReasonOf(refused));
                }
                return reasons;
            }

            var first = await LoopAsync(0, 20);
            Assert.Equal(ReasonCode.Malformed, first[0]);
            Assert.All(first.Skip(1), r => Assert.Equal(ReasonCode.RateLimited, r));

            // An unlisted caller is refused for who it is, as before, whatever politie's budget.
            var unlisted = await Assert.ThrowsAsync<RpcException>(() => outsider.MatchAsync(stale).ResponseAsync);
            Assert.Equal(ReasonCode.UnknownPartner, ErrorMapping.ReasonOf(unlisted));

            // Once a token is back the next question is read (and refused for what it is), then the limit holds again.
            clock.Advance(TimeSpan.FromMinutes(1));
            var second = await LoopAsync(1, 20);
            Assert.Equal(ReasonCode.ClockSkew, second[0]);
            Assert.All(second.Skip(1), r => Assert.Equal(ReasonCode.RateLimited, r));
        }

        // Forty refusals, four entries: the question each token paid for, and the first refusal of each run over the limit.
        var entries = (await om.Store.ReadLogAsync(0, 1000, default)).Where(e => e.SignalType == SignalTypes.SubjectKnown).ToList();
        Assert.Equal(["MALFORMED", "RATE_LIMITED", "CLOCK_SKEW", "RATE_LIMITED"], entries.Select(e => e.ReasonCode));
        Assert.All(entries, e => Assert.Equal(("politie", LogEvent.Rejected), (e.Partner, e.Event)));
    }

    private static long RetryAfter(RpcException error) =>
        long.Parse(error.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>().Metadata["retryAfterMs"], CultureInfo.InvariantCulture);
}
