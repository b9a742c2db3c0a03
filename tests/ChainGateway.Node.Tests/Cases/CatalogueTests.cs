using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Core.SharingLog;
using ChainGateway.Core.Signals;
using ChainGateway.Node.Local;
using ChainGateway.Node.Tests.Infrastructure;
using Grpc.Core;

namespace ChainGateway.Node.Tests.Cases;

public sealed class CatalogueTests
{
    // Per signal type: an exchange the demo agreement allows, and one it does not (other recipient or other purpose).
    private static readonly Dictionary<string, (Func<Signal> Make, string From, string To, string Purpose, string RefusedTo, string RefusedPurpose)> Cases = new()
    {
        [SignalTypes.StalkingReported] = (ChainSignals.Report, "politie", "om", "risk-assessment", "reclassering", "risk-assessment"),
        [SignalTypes.RiskAssessed] = (() => ChainSignals.Risk(RiskLevel.Medium, trained: true), "veilig-thuis", "om", "risk-assessment", "om", "case-direction"),
        [SignalTypes.CaseDirectorAssigned] = (() => ChainSignals.Director(), "politie", "om", "case-direction", "om", "risk-assessment"),
        [SignalTypes.VictimContactAssigned] = (ChainSignals.VictimContact, "om", "politie", "victim-contact", "reclassering", "victim-contact"),
        [SignalTypes.ProtectionMeasureImposed] = (() => ChainSignals.MeasureImposed(), "om", "politie", "protection-order-enforcement", "veilig-thuis", "protection-order-enforcement"),
        [SignalTypes.MeasureNotSupervisable] = (ChainSignals.NotSupervisable, "reclassering", "om", "protection-order-enforcement", "politie", "protection-order-enforcement"),
        [SignalTypes.ProximityAlert] = (ChainSignals.Proximity, "reclassering", "politie", "protection-order-enforcement", "om", "protection-order-enforcement"),
        [SignalTypes.CaseConferenceRequested] = (ChainSignals.Conference, "politie", "om", "case-conference", "cjib", "case-conference"),
    };

    public static TheoryData<string> SignalTypeNames() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(SignalTypeNames))]
    public async Task EachSignalType_RoundTripsThroughTwoNodesUnderItsRule_AndIsRefusedWithoutOne(string signalType)
    {
        var (make, from, to, purpose, refusedTo, refusedPurpose) = Cases[signalType];
        await using var federation = TestFederation.Create();
        var senderNode = await federation.StartAsync(from);
        var receiverNode = await federation.StartAsync(to);
        using var sender = federation.Client(from);
        using var receiver = federation.Client(to);

        var signal = make();
        var sent = Assert.Single((await sender.SendAsync(purpose, signal, to)).Envelopes);
        var received = await receiver.ReceiveAsync(sent.MessageId);
        Assert.Equal(signalType, received.SignalType);
        Assert.Equal(sent.RuleId, received.RuleId);

        // What arrives is the signal minimised by the rule, with every subject as the pair's pseudonym, which the
        // receiver computes from its own side of the pair.
        var rule = receiverNode.Context.Agreement.Rules.Single(r => r.Id == sent.RuleId);
        Assert.True(receiverNode.Context.TrustList.TryGet(from, out var senderPartner));
        var expected = SubjectPseudonymiser.ForRecipient(Core.Rules.FieldMinimiser.Minimise(signal, rule.AllowedFields),
            receiverNode.Context.PseudonymKeys.Current(DateTimeOffset.UtcNow), senderPartner, DateTimeOffset.UtcNow);
        Assert.Equal(expected, received.Signal);
        Assert.NotEmpty(SignalSubjects.Pseudonyms(received.Signal));

        // Without a rule: refused at the sender, named and logged there; nothing is queued.
        var refused = await Assert.ThrowsAsync<RpcException>(() => sender.SendAsync(refusedPurpose, make(), refusedTo));
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal("RULE_DENIED", ErrorInfoOf(refused).Reason);
        var log = await senderNode.Store.ReadLogAsync(0, 1000, default);
        Assert.Contains(log, e => e.Event == LogEvent.Denied && e.SignalType == signalType && e.Partner == refusedTo && e.ReasonCode == "RULE_DENIED");
        Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(sent.MessageId)).State);
    }

    [Fact]
    public async Task HighRiskByUntrainedAssessor_IsAccepted_ButFlaggedToTheReceiver()
    {
        await using var federation = TestFederation.Create("politie", "veilig-thuis", "om");
        await federation.StartAsync("veilig-thuis");
        var om = await federation.StartAsync("om");
        using var sender = federation.Client("veilig-thuis");
        using var receiver = federation.Client("om");

        var untrained = (await sender.SendAsync("risk-assessment", ChainSignals.Risk(RiskLevel.Acute, trained: false), "om")).Envelopes[0].MessageId;
        var trained = (await sender.SendAsync("risk-assessment", ChainSignals.Risk(RiskLevel.Acute, trained: true), "om")).Envelopes[0].MessageId;
        var lowUntrained = (await sender.SendAsync("risk-assessment", ChainSignals.Risk(RiskLevel.Low, trained: false), "om")).Envelopes[0].MessageId;

        Assert.Equal([QualityFlag.UntrainedAssessor], (await receiver.ReceiveAsync(untrained)).QualityFlags);
        Assert.Empty((await receiver.ReceiveAsync(trained)).QualityFlags);
        Assert.Empty((await receiver.ReceiveAsync(lowUntrained)).QualityFlags);
        var log = await om.Store.ReadLogAsync(0, 1000, default);
        Assert.Contains(log, e => e.Event == LogEvent.Received && e.MessageId == Guid.Parse(untrained) && e.Detail!.Contains("UntrainedAssessor", StringComparison.Ordinal));
        Assert.Contains(log, e => e.Event == LogEvent.Received && e.MessageId == Guid.Parse(trained) && e.Detail is null);
    }

    [Fact]
    public async Task MalformedSignal_GetsMalformed_WithTheFieldPathAsViolation()
    {
        await using var federation = TestFederation.Create("politie", "om");
        await federation.StartAsync("om");
        using var client = federation.Client("om");
        var signal = ChainSignals.MeasureImposed();
        signal.ProtectionMeasureImposed.ValidTo = ChainSignals.Day(-2);
        var error = await Assert.ThrowsAsync<RpcException>(() => client.SendAsync("protection-order-enforcement", signal, "politie"));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("MALFORMED", ErrorInfoOf(error).Reason);
        var violation = Assert.Single(error.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations);
        Assert.Equal("signal.protection_measure_imposed.valid_to", violation.Field);
    }

    private static Google.Rpc.ErrorInfo ErrorInfoOf(RpcException e) => e.GetRpcStatus()!.GetDetail<Google.Rpc.ErrorInfo>()!;
}
