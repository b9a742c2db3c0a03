using System.Text;
using System.Text.Json.Nodes;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.SharingLog;
using ChainGateway.Core.Subjects;
using ChainGateway.Node.Federation;
using ChainGateway.Node.Tests.Infrastructure;

namespace ChainGateway.Node.Tests.Peer;

public sealed class ExchangeTests
{
    [Fact]
    public async Task TwoRulesForOneExchange_TheReceiverChecksTheOneTheSenderUsed()
    {
        // A rule for supervisors listed before the caseworkers' rule for the same exchange: the receiver has no user, and
        // checking the first rule that matches refused (RULE_DENIED, dead-lettered) what the caseworkers' rule allows.
        var agreement = JsonNode.Parse(DemoAgreement.Json(DemoAgreement.Organisations))!;
        var rules = agreement["rules"]!.AsArray();
        var supervisors = rules.Single(r => (string?)r!["id"] == "politie-stalking-report")!.DeepClone();
        supervisors["id"] = "politie-stalking-report-supervisors";
        supervisors["requiredRole"] = "supervisor";
        rules.Insert(0, supervisors);
        await using var federation = TestFederation.CreateWithAgreement(agreement.ToJsonString(), DemoAgreement.Organisations);
        await federation.StartAsync("politie");
        await federation.StartAsync("veilig-thuis");
        using var sender = federation.Client("politie");
        using var receiver = federation.Client("veilig-thuis");

        var sent = await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "veilig-thuis");
        var messageId = Assert.Single(sent.Envelopes).MessageId;

        Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(messageId)).State);
        Assert.Equal("politie-stalking-report", (await receiver.ReceiveAsync(messageId)).RuleId);
    }

    [Fact]
    public async Task SignalBetweenTwoNodes_ArrivesUnderReceiversPseudonym_AndSenderHoldsVerifiedReceipt()
    {
        await using var federation = TestFederation.Create();
        var politie = await federation.StartAsync("politie");
        var veiligThuis = await federation.StartAsync("veilig-thuis");
        using var sender = federation.Client("politie");
        using var receiver = federation.Client("veilig-thuis");

        var sent = await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "veilig-thuis");
        var messageId = Assert.Single(sent.Envelopes).MessageId;
        var received = await receiver.ReceiveAsync(messageId);

        // The receiver computes the same pairwise pseudonym for the subject from its own side of the pair.
        Assert.True(veiligThuis.Context.TrustList.TryGet("politie", out var politiePartner));
        var expected = veiligThuis.Context.PseudonymKeys.Current(DateTimeOffset.UtcNow).Pseudonym("politie", politiePartner.CurrentPseudonymKey(DateTimeOffset.UtcNow)!.Key,
            SubjectId.Bsn(HandBuilt.Bsn, "subject"));
        Assert.Equal(expected, received.Signal.StalkingReported.Suspect.Pseudonym.ToByteArray());
        Assert.Equal("politie", received.Sender);
        Assert.Equal("politie-stalking-report", received.RuleId);

        var status = await sender.WaitForFinalStateAsync(messageId);
        Assert.Equal(DeliveryState.Delivered, status.State);
        var receipt = Receipt.Parser.ParseFrom(status.Receipt);
        Assert.True(politie.Context.TrustList.TryGet("veilig-thuis", out var vt));
        var body = ReceiptSigner.Verify(receipt, vt.SigningKeys[0].Key);
        Assert.NotNull(body);
        Assert.Equal(ReceiptOutcome.Accepted, body.Outcome);
        Assert.Equal(received.LogIndex, body.LogIndex);
        Assert.Equal(MessageId.ToBytes(Guid.Parse(messageId)), body.MessageId.ToByteArray());

        // Both sides logged the exchange under the same rule.
        var sentLog = await politie.Store.ReadLogAsync(0, 100, default);
        Assert.Contains(sentLog, e => e.Event == LogEvent.Sent && e.MessageId == Guid.Parse(messageId) && e.RuleId == "politie-stalking-report");
        Assert.Contains(sentLog, e => e.Event == LogEvent.Delivered && e.MessageId == Guid.Parse(messageId));
        var receivedLog = await veiligThuis.Store.ReadLogAsync(0, 100, default);
        Assert.Contains(receivedLog, e => e.Event == LogEvent.Received && e.MessageId == Guid.Parse(messageId) && e.Index == (long)body.LogIndex);
    }

    [Fact]
    public async Task BothLogs_RecordOneTraceAcrossTheTwoOrganisations()
    {
        await using var federation = TestFederation.Create();
        var politie = await federation.StartAsync("politie");
        var om = await federation.StartAsync("om");
        using var sender = federation.Client("politie");
        var id = Guid.Parse((await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId);
        Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id.ToString())).State);

        var sent = Assert.Single(await politie.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Sent && e.MessageId == id);
        var received = Assert.Single(await om.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Received && e.MessageId == id);
        Assert.NotNull(sent.TraceId);
        // Logboek Dataverwerkingen: the receiver's entry names the sender's processing as its foreign trace/span.
        Assert.Equal(sent.TraceId, received.ForeignTraceId);
        Assert.Equal(sent.SpanId, received.ForeignSpanId);
        Assert.Equal(sent.TraceId, received.TraceId);
        Assert.NotEqual(sent.SpanId, received.SpanId);
    }

    [Fact]
    public async Task PseudonymsForTwoRecipients_Differ()
    {
        await using var federation = TestFederation.Create();
        await federation.StartAsync("politie");
        await federation.StartAsync("veilig-thuis");
        await federation.StartAsync("om");
        using var sender = federation.Client("politie");

        var sent = await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "veilig-thuis", "om");
        using var vt = federation.Client("veilig-thuis");
        using var om = federation.Client("om");
        var atVt = await vt.ReceiveAsync(sent.Envelopes.Single(e => e.Recipient == "veilig-thuis").MessageId);
        var atOm = await om.ReceiveAsync(sent.Envelopes.Single(e => e.Recipient == "om").MessageId);

        Assert.NotEqual(atVt.Signal.StalkingReported.Suspect.Pseudonym, atOm.Signal.StalkingReported.Suspect.Pseudonym);
        Assert.Equal(32, atVt.Signal.StalkingReported.Suspect.Pseudonym.Length);
    }

    [Fact]
    public async Task StoredEnvelopesAndLog_NeverContainTheBsn()
    {
        await using var federation = TestFederation.Create();
        var politie = await federation.StartAsync("politie");
        var om = await federation.StartAsync("om");
        using var sender = federation.Client("politie");
        var sent = await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om");
        using var receiver = federation.Client("om");
        await receiver.ReceiveAsync(sent.Envelopes[0].MessageId);
        await sender.WaitForFinalStateAsync(sent.Envelopes[0].MessageId);

        // Inspect the bytes of both SQLite files (outbox envelope, inbox payload, sharing log): no BSN in any form.
        var needles = new[] { HandBuilt.Bsn, "111222333" }
            .SelectMany(b => new[] { Encoding.UTF8.GetBytes(b), Encoding.Unicode.GetBytes(b) }).ToArray();
        foreach (var node in new[] { politie, om })
        {
            var path = node.Store.Path;
            await federation.StopAsync(node);
            foreach (var file in new[] { path, path + "-wal" }.Where(File.Exists))
            {
                var bytes = await File.ReadAllBytesAsync(file);
                Assert.True(bytes.Length > 0);
                foreach (var needle in needles)
                {
                    Assert.Equal(-1, bytes.AsSpan().IndexOf(needle));
                }
            }
        }
    }
}
