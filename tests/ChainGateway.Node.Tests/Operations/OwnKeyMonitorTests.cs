using System.Text.Json.Nodes;
using ChainGateway.Contracts.V1;
using ChainGateway.Node.Tests.Infrastructure;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.Time.Testing;

namespace ChainGateway.Node.Tests.Operations;

/// <summary>The operator hears of the node's own keys running out: in chaingw status, the log and the health check.</summary>
public sealed class OwnKeyMonitorTests
{
    [Fact]
    public async Task SigningKeyEndingInTenDays_IsAWarning_AndOnceEnded_TheNodeIsNotServing_AndSaysWhy()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create();
        federation.EditListedKeys("om", "signingKeys", keys =>
        {
            foreach (var key in keys)
            {
                key!["notAfter"] = clock.GetUtcNow().AddDays(10).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            }
        });
        var om = await federation.StartAsync("om", clock);
        using var health = GrpcChannel.ForAddress("http://" + om.Context.Configuration.Local.Listen);
        var checks = new Health.HealthClient(health);

        await federation.Logs.WaitForAsync(e => e.EventId.Name == "OwnKeyExpiring" && e.Message.Contains("signing key", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        using (var operatorClient = federation.Client("om", clock, "operator"))
        {
            var notice = Assert.Single((await operatorClient.Api.GetOutboxAsync(new OutboxRequest(), operatorClient.Headers)).KeyNotices);
            Assert.Equal(("signing", om.Context.Keys.SigningKeyId, false), (notice.Use, notice.KeyId, notice.Expired));
            Assert.Contains("in 10 days", notice.Message, StringComparison.Ordinal);
        }
        // Degraded is still serving: the node works, a rotation is due.
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await checks.CheckAsync(new HealthCheckRequest())).Status);

        clock.Advance(TimeSpan.FromDays(11));
        await federation.Logs.WaitForAsync(e => e.EventId.Name == "OwnKeyNotValid" && e.Message.Contains("signing key", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await checks.CheckAsync(new HealthCheckRequest())).Status);
        using (var operatorClient = federation.Client("om", clock, "operator"))
        {
            Assert.True(Assert.Single((await operatorClient.Api.GetOutboxAsync(new OutboxRequest(), operatorClient.Headers)).KeyNotices).Expired);
        }
    }
}
