using System.Buffers.Text;
using System.Text.Json.Nodes;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Federation;
using ChainGateway.Core.SharingLog;
using ChainGateway.Core.Subjects;
using ChainGateway.Node.Tests.Infrastructure;
using Google.Protobuf;
using Microsoft.Extensions.Time.Testing;
using NSec.Cryptography;

namespace ChainGateway.Node.Tests.Match;

public sealed class PseudonymRotationTests
{
    private const string Known = HandBuilt.Bsn;

    [Fact]
    public async Task NewPseudonymKey_IndexIsRebuilt_AndMatchesWorkThroughTheOverlapAndAfterIt()
    {
        await using var federation = TestFederation.CreateWithAgreement(MatchAgreement.Json, MatchAgreement.Organisations);
        var politie = await federation.StartAsync("politie");
        var om = await federation.StartAsync("om");
        using (var omClient = federation.Client("om"))
        {
            await omClient.RegisterAsync(MatchCalls.Bsn(Known), MatchCalls.Bsn("111222333"));
        }
        await AssertHitAsync(federation, politie);
        var oldKeyId = om.Context.Keys.PseudonymKeyId;
        await federation.StopAsync(politie);
        await federation.StopAsync(om);

        // om rotates: a new pseudonym key, listed from now on, while the old one stays valid (the overlap).
        var keysPath = Path.Combine(federation.ConfigDirectory("om"), "keys.json");
        string newKeyId;
        using (var keys = OrganisationKeys.Load(keysPath, editable: true))
        {
            var key = Key.Create(KeyAgreementAlgorithm.X25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
            keys.AddPseudonymKey(key);
            keys.Save(keysPath);
            newKeyId = KeyThumbprint.Of(key.PublicKey);
            var raw = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
            EditOmPseudonymKeys(federation, list => list.Add(new JsonObject
            {
                ["keyId"] = newKeyId,
                ["publicKey"] = Base64Url.EncodeToString(raw),
                ["notBefore"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"),
                ["notAfter"] = DateTimeOffset.UtcNow.AddYears(1).ToString("O"),
            }));
        }
        politie = await federation.StartAsync("politie");
        om = await federation.StartAsync("om");

        // During the overlap the asker sends a candidate per key pair; the answer does not wait for the build.
        Assert.Equal(2, (await AssertHitAsync(federation, politie)).Split(',').Length);
        using (var operatorClient = federation.Client("om", "operator"))
        {
            var status = await operatorClient.Api.GetMatchIndexStatusAsync(new MatchIndexStatusRequest { WaitSeconds = 30 }, operatorClient.Headers);
            Assert.Equal(2u, status.Subjects);
            var build = Assert.Single(status.Builds, b => b.Partner == "politie" && b.Generation.StartsWith(newKeyId[..11] + ":", StringComparison.Ordinal));
            Assert.True(build.Complete);
            Assert.Equal(2u, build.Indexed);
        }
        await federation.Logs.WaitForAsync(e => e.EventId.Name == "MatchIndexBuilt" && e.Message.Contains(newKeyId[..11], StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        await federation.StopAsync(politie);
        await federation.StopAsync(om);

        // The overlap ends: the old key is no longer valid. Only the rebuilt index can answer now.
        EditOmPseudonymKeys(federation, list =>
        {
            foreach (var key in list.OfType<JsonObject>().Where(k => (string?)k["keyId"] == oldKeyId))
            {
                key["notAfter"] = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O");
            }
        });
        politie = await federation.StartAsync("politie");
        om = await federation.StartAsync("om");
        Assert.Single((await AssertHitAsync(federation, politie)).Split(','));
        using var finalOperator = federation.Client("om", "operator");
        var final = await finalOperator.Api.GetMatchIndexStatusAsync(new MatchIndexStatusRequest { WaitSeconds = 30 }, finalOperator.Headers);
        Assert.DoesNotContain(final.Builds, b => b.Generation.StartsWith(oldKeyId[..11] + ":", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DuringAnOverlap_APseudonymOfOneKeyPairLabelledWithTheOthersKeys_DoesNotHit()
    {
        await using var federation = TestFederation.CreateWithAgreement(MatchAgreement.Json, MatchAgreement.Organisations);
        // om holds a second pseudonym key, listed from now on beside the first: two key pairs with politie are valid.
        var keysPath = Path.Combine(federation.ConfigDirectory("om"), "keys.json");
        using (var keys = OrganisationKeys.Load(keysPath, editable: true))
        {
            var key = Key.Create(KeyAgreementAlgorithm.X25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
            keys.AddPseudonymKey(key);
            keys.Save(keysPath);
            EditOmPseudonymKeys(federation, list => list.Add(new JsonObject
            {
                ["keyId"] = KeyThumbprint.Of(key.PublicKey),
                ["publicKey"] = Base64Url.EncodeToString(key.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
                ["notBefore"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"),
                ["notAfter"] = DateTimeOffset.UtcNow.AddYears(1).ToString("O"),
            }));
        }
        var politie = await federation.StartAsync("politie");
        var om = await federation.StartAsync("om");
        using (var omClient = federation.Client("om"))
        {
            await omClient.RegisterAsync(MatchCalls.Bsn(Known));
        }
        // The honest question (one candidate per key pair) hits.
        Assert.Equal(2, (await AssertHitAsync(federation, politie)).Split(',').Length);

        // Two guesses for one question: an unregistered BSN under the first key pair, the registered one also computed under
        // the first key pair but labelled with the second's key ids.
        var ring = new PseudonymKeyRing(politie.Context.Keys, politie.Context.TrustList, "politie");
        var generations = ring.Generations("om", politie.Context.Time.GetUtcNow());
        Assert.Equal(2, generations.Count);
        var (first, second) = (generations[0], generations[1]);
        var body = MatchSignatures.ParseUnverified(MatchTests.Query(politie, "om", "case-direction", "politie-asks-om"))!;
        body.Candidates.Clear();
        body.Candidates.Add(new PseudonymCandidate
        {
            Pseudonym = ByteString.CopyFrom(ring.Pseudonym(first, SubjectId.Bsn("111222333", "subject"))),
            AskerKeyId = first.OwnKeyId,
            AnswererKeyId = first.PartnerKeyId,
        });
        body.Candidates.Add(new PseudonymCandidate
        {
            Pseudonym = ByteString.CopyFrom(ring.Pseudonym(first, SubjectId.Bsn(Known, "subject"))),
            AskerKeyId = second.OwnKeyId,
            AnswererKeyId = second.PartnerKeyId,
        });
        using var certificate = HandBuilt.Usable(politie.Context.TlsCertificate);
        var client = HandBuilt.PeerClient(om.Context.Configuration.Peer.Listen, certificate, politie.Context.FederationCa, out var channel);
        using (channel)
        {
            var answer = await client.MatchAsync(MatchSignatures.Sign(body, politie.Context.Keys.Signing)).ResponseAsync;
            Assert.True(om.Context.TrustList.TryGet("om", out var self));
            Assert.False(MatchSignatures.Verify(answer, self.SigningKeys[0].Key)!.Hit);
        }
    }

    [Fact]
    public async Task ASenderThatRunsAcrossTheEndOfItsPseudonymKey_SendsUnderTheNextKeyWithoutARestart()
    {
        await using var federation = TestFederation.Create();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var start = clock.GetUtcNow();
        // politie holds a second pseudonym key, listed from 30 minutes on; its first key's listing ends in an hour.
        var keysPath = Path.Combine(federation.ConfigDirectory("politie"), "keys.json");
        using (var keys = OrganisationKeys.Load(keysPath, editable: true))
        {
            keys.AddPseudonymKey(Key.Create(KeyAgreementAlgorithm.X25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
            keys.Save(keysPath);
        }
        using var held = OrganisationKeys.Load(keysPath);
        var next = Assert.Single(held.AdditionalPseudonyms);
        federation.EditListedKeys("politie", "pseudonymKeys", list =>
        {
            foreach (var key in list.OfType<JsonObject>())
            {
                key["notAfter"] = start.AddHours(1).ToString("O");
            }
            list.Add(new JsonObject
            {
                ["keyId"] = KeyThumbprint.Of(next.PublicKey),
                ["publicKey"] = Base64Url.EncodeToString(next.PublicKey.Export(KeyBlobFormat.RawPublicKey)),
                ["notBefore"] = start.AddMinutes(30).ToString("O"),
                ["notAfter"] = start.AddYears(1).ToString("O"),
            });
        });
        // One clock for both nodes: the receiver refuses an envelope made in its future.
        var politie = await federation.StartAsync("politie", clock);
        await federation.StartAsync("veilig-thuis", clock);
        using var sender = federation.Client("politie", clock);
        using var receiver = federation.Client("veilig-thuis", clock);
        Assert.True(politie.Context.TrustList.TryGet("veilig-thuis", out var veiligThuis));
        var theirs = veiligThuis.CurrentPseudonymKey(start)!.Key;
        var subject = SubjectId.Bsn(HandBuilt.Bsn, "subject");
        var federationId = politie.Context.TrustList.FederationId;

        async Task<byte[]> SentPseudonymAsync()
        {
            var sent = await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "veilig-thuis");
            var received = await receiver.ReceiveAsync(Assert.Single(sent.Envelopes).MessageId);
            return received.Signal.StalkingReported.Suspect.Pseudonym.ToByteArray();
        }

        Assert.Equal(new PairwisePseudonymizer(held.Pseudonym, "politie", federationId).Pseudonym("veilig-thuis", theirs, subject),
            await SentPseudonymAsync());
        // Two hours on, the first key's listing has ended: the running node sends under the next key, as veilig-thuis's
        // index (which keeps only generations valid or upcoming) expects.
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(new PairwisePseudonymizer(next, "politie", federationId).Pseudonym("veilig-thuis", theirs, subject),
            await SentPseudonymAsync());
        // The case overview still finds the first signal, sent under the key whose listing has ended.
        var overview = await sender.Api.GetCaseOverviewAsync(new CaseOverviewRequest { Subject = new SubjectRef { Bsn = HandBuilt.Bsn } }, sender.Headers);
        Assert.Equal(2u, overview.Facts);
    }

    /// <summary>Asks om from politie; asserts a hit and returns the candidate pseudonyms politie logged.</summary>
    private static async Task<string> AssertHitAsync(TestFederation federation, Hosting.ChainNode politie)
    {
        using var asker = federation.Client("politie");
        var result = Assert.Single((await asker.MatchAsync(MatchCalls.Bsn(Known), "case-direction", "om")).Results);
        Assert.True(result.Hit);
        var log = await politie.Store.ReadLogAsync(0, 1000, default);
        return log.Last(e => e.Event == LogEvent.Matched).SubjectPseudonym!;
    }

    private static void EditOmPseudonymKeys(TestFederation federation, Action<JsonArray> edit)
    {
        var path = Path.Combine(federation.Directory, "trust-list.json");
        var document = JsonNode.Parse(File.ReadAllText(path))!;
        var om = document["organisations"]!.AsArray().Single(o => (string?)o!["id"] == "om")!;
        edit(om["pseudonymKeys"]!.AsArray());
        File.WriteAllText(path, document.ToJsonString());
    }
}
