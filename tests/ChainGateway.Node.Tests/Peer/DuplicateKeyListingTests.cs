using System.Text.Json.Nodes;
using ChainGateway.Contracts.V1;
using ChainGateway.Node.Tests.Infrastructure;

namespace ChainGateway.Node.Tests.Peer;

/// <summary>
/// A signing key listed twice in the trust list (its window extended by a second listing, the expired one left first):
/// valid now because one of its listings is, for envelopes at the receiver and for receipts at the sender.
/// </summary>
public sealed class DuplicateKeyListingTests
{
    [Fact]
    public async Task SigningKeysListedFirstExpiredThenValid_StillExchange_BothWays()
    {
        await using var federation = TestFederation.Create();
        foreach (var organisation in new[] { "politie", "om" })
        {
            federation.EditListedKeys(organisation, "signingKeys", keys =>
            {
                var expired = keys[0]!.DeepClone();
                expired["notBefore"] = DateTimeOffset.UtcNow.AddYears(-2).ToString("O");
                expired["notAfter"] = DateTimeOffset.UtcNow.AddYears(-1).ToString("O");
                keys.Insert(0, expired);
            });
        }
        await federation.StartAsync("om");
        await federation.StartAsync("politie");
        using var sender = federation.Client("politie");

        var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;

        var status = await sender.WaitForFinalStateAsync(id, 20);
        Assert.Equal(DeliveryState.Delivered, status.State);
        Assert.DoesNotContain(federation.Logs.Events, e => e.EventId.Name is "PeerRejected" or "DeliveryRetry");
    }
}
