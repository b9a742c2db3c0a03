using System.Buffers.Text;
using System.Text.Json.Nodes;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Federation;
using ChainGateway.Node.Errors;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using Grpc.Core;
using NSec.Cryptography;

namespace ChainGateway.Node.Tests.Peer;

/// <summary>
/// DESIGN.md §3: keys rotate with overlap. A receiver holding its old and new envelope keys opens envelopes sealed to
/// either: partners switch to the new key as the trust list lists it, while envelopes sealed before still arrive.
/// </summary>
public sealed class EnvelopeKeyRotationTests
{
    [Fact]
    public async Task DuringTheOverlap_EnvelopesSealedToTheOldAndTheNewKey_BothOpen_AndAKeyNotHeldIsUnknownKey()
    {
        await using var federation = TestFederation.Create();
        // reclassering adds a new envelope key, listed from a minute ago: senders now seal to it; the old one stays listed.
        var keysPath = Path.Combine(federation.ConfigDirectory("reclassering"), "keys.json");
        using (var keys = OrganisationKeys.Load(keysPath, editable: true))
        {
            keys.AddEnvelopeKey(Key.Create(KeyAgreementAlgorithm.X25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
            keys.Save(keysPath);
            ListEnvelopeKey(federation, keys.AdditionalEnvelopes[0].PublicKey);
        }
        using var stranger = Key.Create(KeyAgreementAlgorithm.X25519);
        var reclassering = await federation.StartAsync("reclassering");
        using var politie = NodeContext.Load(federation.Configuration("politie"), TimeProvider.System);
        Assert.True(politie.TrustList.TryGet("reclassering", out var listed));
        var current = listed.CurrentEnvelopeKey(DateTimeOffset.UtcNow)!;
        var old = listed.EnvelopeKeys.Single(k => k.KeyId == reclassering.Context.Keys.EnvelopeKeyId);
        Assert.NotEqual(old.KeyId, current.KeyId);

        using var certificate = HandBuilt.Usable(politie.TlsCertificate);
        var client = HandBuilt.PeerClient(reclassering.Context.Configuration.Peer.Listen, certificate, politie.FederationCa, out var channel);
        using (channel)
        {
            foreach (var key in new[] { current, old })
            {
                var receipt = await client.DeliverAsync(Envelope(politie, key));
                Assert.False(receipt.Signature.IsEmpty);
            }
            var unheld = new PartnerKey(KeyThumbprint.Of(stranger.PublicKey), stranger.PublicKey, null, null);
            var error = await Assert.ThrowsAsync<RpcException>(() => client.DeliverAsync(Envelope(politie, unheld)).ResponseAsync);
            Assert.Equal(ReasonCode.UnknownKey, ErrorMapping.ReasonOf(error));
        }
    }

    private static Contracts.V1.Envelope Envelope(NodeContext politie, PartnerKey key) =>
        HandBuilt.Envelope(politie, "reclassering", "risk-for-supervision", "protection-order-enforcement", HandBuilt.RiskForSupervision(politie),
            h => h.RecipientKeyId = key.KeyId, key);

    private static void ListEnvelopeKey(TestFederation federation, PublicKey key)
    {
        var raw = key.Export(KeyBlobFormat.RawPublicKey);
        federation.EditListedKeys("reclassering", "envelopeKeys", keys => keys.Add(new JsonObject
        {
            ["keyId"] = KeyThumbprint.Of(raw),
            ["publicKey"] = Base64Url.EncodeToString(raw),
            ["notBefore"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"),
            ["notAfter"] = DateTimeOffset.UtcNow.AddYears(1).ToString("O"),
        }));
    }
}
