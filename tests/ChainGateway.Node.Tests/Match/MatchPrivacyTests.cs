using System.Text;
using ChainGateway.Contracts.V1;
using ChainGateway.Node.Tests.Infrastructure;
using Google.Protobuf;

namespace ChainGateway.Node.Tests.Match;

public sealed class MatchPrivacyTests
{
    private const string Known = HandBuilt.Bsn;
    private const string Victim = "111222333";

    [Fact]
    public async Task NoBsn_InAnyStoredEnvelope_LogEntry_SqliteFile_OrMatchMessage()
    {
        await using var federation = TestFederation.CreateWithAgreement(MatchAgreement.Json, MatchAgreement.Organisations);
        // Both nodes record every message their services handle: what actually crossed the wire between them.
        var politieWire = new WireCapture();
        var omWire = new WireCapture();
        var politie = await federation.StartAsync("politie", configureServices: politieWire.Install);
        var om = await federation.StartAsync("om", configureServices: omWire.Install);
        using var sender = federation.Client("politie");
        using var receiver = federation.Client("om");
        await receiver.RegisterAsync(MatchCalls.Bsn(Known));
        var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(Known, Victim), "om")).Envelopes[0].MessageId;
        Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);
        var result = Assert.Single((await sender.MatchAsync(MatchCalls.Bsn(Known), "case-direction", "om")).Results);
        Assert.True(result.Hit);
        var query = MatchTests.Query(politie, "om", "case-direction", "politie-asks-om");

        string[] secrets = [Known, Victim];
        // The match messages on the wire: the signed answer as received, and a query built as the node builds it.
        AssertFree(result.Answer.ToByteArray(), secrets, "the signed answer");
        AssertFree(query.ToByteArray(), secrets, "a signed query");
        var peerMessages = omWire.Messages.Concat(politieWire.Messages).Where(m => m.Method.StartsWith("/chaingateway.v1.PeerService/", StringComparison.Ordinal)).ToList();
        Assert.Contains(peerMessages, m => m.Method.EndsWith("/Match", StringComparison.Ordinal));
        Assert.Contains(peerMessages, m => m.Method.EndsWith("/Deliver", StringComparison.Ordinal));
        foreach (var (method, bytes) in peerMessages)
        {
            AssertFree(bytes, secrets, $"a {method} message on the wire");
        }
        // The local API did carry the BSN (the case system names its subject): the capture sees what it must.
        Assert.Contains(omWire.Messages.Concat(politieWire.Messages), m => m.Method.StartsWith("/chaingateway.v1.LocalService/", StringComparison.Ordinal)
            && m.Bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Known)) >= 0);
        foreach (var node in new[] { politie, om })
        {
            foreach (var entry in await node.Store.ReadLogAsync(0, 1000, default))
            {
                AssertFree(Encoding.UTF8.GetBytes(entry.ToString()), secrets, $"log entry {entry.Index} of {node.Context.Organisation}");
            }
            // The store's files, WAL included, hold no BSN in any form we could write it in.
            foreach (var file in Directory.GetFiles(Path.GetDirectoryName(node.Store.Path)!))
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var memory = new MemoryStream();
                await stream.CopyToAsync(memory);
                AssertFree(memory.ToArray(), secrets, file);
            }
        }
    }

    private static void AssertFree(byte[] haystack, string[] secrets, string where)
    {
        foreach (var secret in secrets)
        {
            foreach (var form in new[] { Encoding.ASCII.GetBytes(secret), Encoding.Unicode.GetBytes(secret), Convert.FromHexString("0" + secret) })
            {
                Assert.True(haystack.AsSpan().IndexOf(form) < 0, $"{where} holds the BSN {secret}");
            }
        }
    }
}
