using System.Security.Cryptography;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Auth;
using ChainGateway.Node.Errors;
using ChainGateway.Node.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace ChainGateway.Node.Tests.Local;

public sealed class LocalApiTests : IAsyncLifetime
{
    private TestFederation federation = null!;
    private Hosting.ChainNode politie = null!;

    public async Task InitializeAsync()
    {
        federation = TestFederation.Create();
        politie = await federation.StartAsync("politie");
    }

    public async Task DisposeAsync() => await federation.DisposeAsync();

    private async Task<RpcException> SendWith(string token, Signal? signal = null, string purpose = "risk-assessment", string to = "om")
    {
        using var client = new LocalClient(federation.Configuration("politie"), [], token);
        var error = await Assert.ThrowsAsync<RpcException>(() => client.SendAsync(purpose, signal ?? Signals.StalkingReported(), to));
        // The refusing node logged it, with its reason code.
        var reason = ErrorMapping.ReasonOf(error)!.Value.ToWire();
        Assert.Contains(federation.Logs.Events, e => e.EventId.Name == "Refused" && e.Message.Contains(reason, StringComparison.Ordinal));
        return error;
    }

    private string Token(TimeSpan lifetime, string? audience = null, string? keyPath = null, string role = LocalUser.Caseworker) =>
        DevTokens.Mint(federation.Configuration("politie"), "test-user", [role], lifetime, TimeProvider.System, audience, keyPath);

    [Fact]
    public async Task NoToken_IsUnauthenticated()
    {
        using var client = federation.Client("politie");
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.Api.SendAsync(new SendRequest { Purpose = "risk-assessment", Signal = Signals.StalkingReported(), Recipients = { "om" } }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal(ReasonCode.Unauthenticated, ErrorMapping.ReasonOf(error));
    }

    [Fact]
    public async Task ExpiredToken_IsUnauthenticated()
    {
        var error = await SendWith(Token(TimeSpan.FromMinutes(-5)));
        Assert.Equal(ReasonCode.Unauthenticated, ErrorMapping.ReasonOf(error));
        Assert.Contains("expired", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WronglySignedToken_IsUnauthenticated()
    {
        var otherKey = Path.Combine(federation.Directory, "other-idp.key.pem");
        using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(otherKey, ecdsa.ExportPkcs8PrivateKeyPem());
        }
        var error = await SendWith(Token(TimeSpan.FromMinutes(5), keyPath: otherKey));
        Assert.Equal(ReasonCode.Unauthenticated, ErrorMapping.ReasonOf(error));
        Assert.Contains("signature", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenThatNamesNoUser_IsUnauthenticated()
    {
        var nobody = DevTokens.Mint(federation.Configuration("politie"), "", [LocalUser.Caseworker], TimeSpan.FromMinutes(5), TimeProvider.System);
        var error = await SendWith(nobody);
        Assert.Equal(ReasonCode.Unauthenticated, ErrorMapping.ReasonOf(error));
        Assert.Contains("names no user", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenForAnotherAudience_IsUnauthenticated()
    {
        var error = await SendWith(Token(TimeSpan.FromMinutes(5), audience: "chaingateway:om"));
        Assert.Equal(ReasonCode.Unauthenticated, ErrorMapping.ReasonOf(error));
        Assert.Contains("audience", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenWithoutTheRole_IsRoleRequired()
    {
        var error = await SendWith(Token(TimeSpan.FromMinutes(5), role: LocalUser.PrivacyOfficer));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal(ReasonCode.RoleRequired, ErrorMapping.ReasonOf(error));
    }

    [Fact]
    public async Task NoRuleAtSender_IsRuleDenied_AndLogged()
    {
        using var client = federation.Client("politie");
        var error = await Assert.ThrowsAsync<RpcException>(() => client.SendAsync("case-direction", Signals.StalkingReported(), "om"));
        Assert.Equal(ReasonCode.RuleDenied, ErrorMapping.ReasonOf(error));
        var log = await politie.Store.ReadLogAsync(0, 100, default);
        Assert.Contains(log, e => e.Event == LogEvent.Denied && e.ReasonCode == "RULE_DENIED" && e.Partner == "om");
    }

    [Fact]
    public async Task RuleConditionNotMet_IsRuleDenied()
    {
        using var client = federation.Client("politie");
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.SendAsync("protection-order-enforcement", Signals.RiskAssessed(RiskLevel.Medium), "reclassering"));
        Assert.Equal(ReasonCode.RuleDenied, ErrorMapping.ReasonOf(error));
    }

    [Fact]
    public async Task InvalidBsn_IsMalformed_NamingTheField()
    {
        using var client = federation.Client("politie");
        var error = await Assert.ThrowsAsync<RpcException>(() => client.SendAsync("risk-assessment", Signals.StalkingReported(suspectBsn: "123456789"), "om"));
        Assert.Equal(ReasonCode.Malformed, ErrorMapping.ReasonOf(error));
        var violation = error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>();
        Assert.Equal("signal.stalking_reported.suspect.bsn", violation.FieldViolations[0].Field);
    }

    [Fact]
    public async Task UnknownRecipient_IsUnknownPartner_AndNothingIsQueued()
    {
        using var client = federation.Client("politie");
        var error = await Assert.ThrowsAsync<RpcException>(() => client.SendAsync("risk-assessment", Signals.StalkingReported(), "om", "nobody"));
        Assert.Equal(ReasonCode.UnknownPartner, ErrorMapping.ReasonOf(error));
        Assert.Empty(await politie.Store.GetDueAsync("om", DateTimeOffset.UtcNow.AddDays(1), 10, default));
    }

    [Theory]
    [InlineData("purpose", 129)]
    [InlineData("purpose", 70_000)]
    [InlineData("recipients[0]", 129)]
    [InlineData("purpose", -1)]
    public async Task OverlongOrControlCharacterIds_AreMalformed_BeforeAnythingIsLogged(string field, int length)
    {
        using var client = federation.Client("politie");
        var value = length < 0 ? "risk-\nassessment" : new string('x', length);
        var before = (await politie.Store.ReadLogAsync(0, 1000, default)).Count;
        var error = await Assert.ThrowsAsync<RpcException>(() => field == "purpose"
            ? client.SendAsync(value, Signals.StalkingReported(), "om")
            : client.SendAsync("risk-assessment", Signals.StalkingReported(), value));
        Assert.Equal(ReasonCode.Malformed, ErrorMapping.ReasonOf(error));
        Assert.Equal(field, error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations[0].Field);
        Assert.True(error.Status.Detail.Length < 300, error.Status.Detail);
        // Refused before the rules: no Denied entry carries the value into the append-only log.
        Assert.Equal(before, (await politie.Store.ReadLogAsync(0, 1000, default)).Count);
    }

    [Fact]
    public async Task UndefinedPriority_IsMalformed()
    {
        using var client = federation.Client("politie");
        var request = new SendRequest { Purpose = "risk-assessment", Signal = Signals.StalkingReported(), Recipients = { "om" }, Priority = (Priority)99 };
        var error = await Assert.ThrowsAsync<RpcException>(() => client.Api.SendAsync(request, client.Headers).ResponseAsync);
        Assert.Equal(ReasonCode.Malformed, ErrorMapping.ReasonOf(error));
        Assert.Empty(await politie.Store.GetDueAsync("om", DateTimeOffset.UtcNow.AddDays(1), 10, default));
    }

    [Fact]
    public async Task StatusOfUnknownMessages_IsUnknownMessage_AndLeavesNoWaiterBehind()
    {
        using var client = federation.Client("politie");
        var notifier = politie.Services.GetRequiredService<Node.Local.DeliveryNotifier>();
        for (var i = 0; i < 50; i++)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => client.Api.GetDeliveryStatusAsync(
                new DeliveryStatusRequest { MessageId = Guid.NewGuid().ToString(), WaitSeconds = 5 }, client.Headers).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, error.StatusCode);
            Assert.Equal(ReasonCode.UnknownMessage, ErrorMapping.ReasonOf(error));
        }
        Assert.Equal(0, notifier.Waiting);
    }

    [Fact]
    public async Task TwoStatusCallsForOneMessage_DoNotTakeEachOthersWakeUp()
    {
        using var client = federation.Client("politie");
        var id = (await client.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        // om is down: one caller waits for the outcome, another asks and goes (its status is final for it at once).
        var waiting = client.Api.GetDeliveryStatusAsync(new DeliveryStatusRequest { MessageId = id, WaitSeconds = 60 }, client.Headers).ResponseAsync;
        var notifier = politie.Services.GetRequiredService<Node.Local.DeliveryNotifier>();
        await federation.Logs.WaitForAsync(e => e.EventId.Name == "DeliveryRetry" && e.Message.Contains(id, StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Equal(DeliveryState.Queued, (await client.Api.GetDeliveryStatusAsync(new DeliveryStatusRequest { MessageId = id }, client.Headers)).State);
        Assert.Equal(1, notifier.Waiting);

        // om comes up: the waiting caller hears of the delivery (had it lost its wake-up, its 60 s would end with the
        // status it read before waiting: queued).
        await federation.StartAsync("om");
        Assert.Equal(DeliveryState.Delivered, (await waiting).State);
        Assert.Equal(0, notifier.Waiting);
    }

    [Fact]
    public async Task AllowedSend_IsQueuedWithSentLogEntry_EvenWhilePartnerIsDown()
    {
        using var client = federation.Client("politie");
        var response = await client.SendAsync("risk-assessment", Signals.StalkingReported(), "om");
        var id = Guid.Parse(Assert.Single(response.Envelopes).MessageId);
        var status = await client.Api.GetDeliveryStatusAsync(new DeliveryStatusRequest { MessageId = id.ToString() }, client.Headers);
        Assert.Equal(DeliveryState.Queued, status.State);
        var log = await politie.Store.ReadLogAsync(0, 100, default);
        Assert.Contains(log, e => e.Event == LogEvent.Sent && e.MessageId == id);
    }
}
