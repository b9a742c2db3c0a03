using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Errors;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace ChainGateway.Node.Tests.Peer;

/// <summary>
/// What a listed partner's envelope header may carry: bounded names and real times, refused with their field and logged
/// (small) otherwise; and a retry of an envelope accepted under a key that has since expired still gets its receipt.
/// </summary>
public sealed class PeerInputTests
{
    private static Contracts.V1.Envelope Envelope(NodeContext politie, Action<EnvelopeHeader>? mutate = null) =>
        HandBuilt.Envelope(politie, "reclassering", "risk-for-supervision", "protection-order-enforcement", HandBuilt.RiskForSupervision(politie), mutate);

    private static async Task<RpcException> RefusedAsync(ChainNode reclassering, NodeContext politie, Contracts.V1.Envelope envelope)
    {
        using var certificate = HandBuilt.Usable(politie.TlsCertificate);
        var client = HandBuilt.PeerClient(reclassering.Context.Configuration.Peer.Listen, certificate, politie.FederationCa, out var channel);
        using (channel)
        {
            return await Assert.ThrowsAsync<RpcException>(() => client.DeliverAsync(envelope).ResponseAsync);
        }
    }

    [Theory]
    [InlineData("header.purpose")]
    [InlineData("header.rule_id")]
    [InlineData("header.signal_type")]
    [InlineData("header.sender_key_id")]
    public async Task HeaderNameOfSixtyThousandCharacters_IsMalformed_WithItsField_AndItsEntryIsSmall(string field)
    {
        await using var federation = TestFederation.Create();
        var reclassering = await federation.StartAsync("reclassering");
        using var politie = NodeContext.Load(federation.Configuration("politie"), TimeProvider.System);
        var huge = new string('x', 60_000);

        var error = await RefusedAsync(reclassering, politie, Envelope(politie, h =>
        {
            switch (field)
            {
                case "header.purpose": h.Purpose = huge; break;
                case "header.rule_id": h.RuleId = huge; break;
                case "header.signal_type": h.SignalType = huge; break;
                default: h.SenderKeyId = huge; break;
            }
        }));

        Assert.Equal(ReasonCode.Malformed, ErrorMapping.ReasonOf(error));
        Assert.Equal(field, Assert.Single(error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations).Field);
        var entry = Assert.Single(await reclassering.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Rejected);
        Assert.Equal("MALFORMED", entry.ReasonCode);
        Assert.True(LogEntryEncoding.Encode(entry).Length < 1024, "the refusal's entry carries none of the oversized value");
    }

    [Theory]
    [InlineData("header.created_at", long.MaxValue, 0)]
    [InlineData("header.expires_at", 253_402_300_800, 0)]
    [InlineData("header.expires_at", 1_900_000_000, -1)]
    public async Task TimeBeyondWhatATimestampHolds_IsMalformed_AndLogged_NotATransientFailure(string field, long seconds, int nanos)
    {
        await using var federation = TestFederation.Create();
        var reclassering = await federation.StartAsync("reclassering");
        using var politie = NodeContext.Load(federation.Configuration("politie"), TimeProvider.System);
        var time = new Timestamp { Seconds = seconds, Nanos = nanos };

        var error = await RefusedAsync(reclassering, politie, Envelope(politie, h =>
        {
            if (field == "header.created_at")
            {
                h.CreatedAt = time;
            }
            else
            {
                h.ExpiresAt = time;
            }
        }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(ReasonCode.Malformed, ErrorMapping.ReasonOf(error));
        Assert.Equal(field, Assert.Single(error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>().FieldViolations).Field);
        Assert.Contains(await reclassering.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Rejected && e.ReasonCode == "MALFORMED");
    }

    [Fact]
    public async Task RetryAfterTheSendersSigningKeyExpired_GetsTheOriginalReceipt_ButANewEnvelopeUnderThatKeyIsUnknownKey()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create();
        var reclassering = await federation.StartAsync("reclassering", clock);
        using var politie = NodeContext.Load(federation.Configuration("politie"), TimeProvider.System);
        using var certificate = HandBuilt.Usable(politie.TlsCertificate);
        var client = HandBuilt.PeerClient(reclassering.Context.Configuration.Peer.Listen, certificate, politie.FederationCa, out var channel);
        using (channel)
        {
            var envelope = Envelope(politie);
            var receipt = await client.DeliverAsync(envelope);

            // The receipt was lost on the way; the retry comes after politie's signing key's window ended.
            Assert.True(reclassering.Context.TrustList.TryGet("politie", out var listed));
            var notAfter = listed.SigningKeys.Single(k => k.KeyId == politie.Keys.SigningKeyId).NotAfter!.Value;
            clock.SetUtcNow(notAfter.AddDays(1));
            Assert.Equal(receipt, await client.DeliverAsync(envelope));

            // A new envelope under that key is refused, and says why.
            var fresh = Envelope(politie, h =>
            {
                h.CreatedAt = Timestamp.FromDateTimeOffset(clock.GetUtcNow());
                h.ExpiresAt = Timestamp.FromDateTimeOffset(clock.GetUtcNow().AddHours(1));
            });
            var error = await Assert.ThrowsAsync<RpcException>(() => client.DeliverAsync(fresh).ResponseAsync);
            Assert.Equal(ReasonCode.UnknownKey, ErrorMapping.ReasonOf(error));
        }
        Assert.Single(await reclassering.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Received);
    }
}
