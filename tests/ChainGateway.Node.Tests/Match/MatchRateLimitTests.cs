using System.Globalization;
using ChainGateway.Core.Errors;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Errors;
using ChainGateway.Node.Tests.Infrastructure;
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

    private static long RetryAfter(RpcException error) =>
        long.Parse(error.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>().Metadata["retryAfterMs"], CultureInfo.InvariantCulture);
}
