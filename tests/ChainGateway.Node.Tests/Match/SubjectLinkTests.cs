using ChainGateway.Contracts.V1;
using ChainGateway.Node.Tests.Infrastructure;

namespace ChainGateway.Node.Tests.Match;

public sealed class SubjectLinkTests
{
    [Fact]
    public async Task LateRegistration_LinksAnEarlierReceivedSignal_AndKnownSubjectsLinkOnArrival()
    {
        const string suspect = HandBuilt.Bsn;
        const string victim = "111222333";
        await using var federation = TestFederation.CreateWithAgreement(MatchAgreement.Json, MatchAgreement.Organisations);
        await federation.StartAsync("politie");
        await federation.StartAsync("om");
        using var sender = federation.Client("politie");
        using var receiver = federation.Client("om");
        await receiver.RegisterAsync(MatchCalls.Bsn(victim));

        var first = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(suspect, victim), "om")).Envelopes[0].MessageId;
        await receiver.ReceiveAsync(first);

        // The victim was known when the signal arrived: linked at once. The suspect is not registered yet.
        Assert.Equal(first, Assert.Single((await Linked(receiver, victim)).Signals).MessageId);
        Assert.Empty((await Linked(receiver, suspect)).Signals);

        var registered = await receiver.RegisterAsync(MatchCalls.Bsn(suspect));

        Assert.Equal(1u, registered.LinkedSignals);
        var linked = Assert.Single((await Linked(receiver, suspect)).Signals);
        Assert.Equal(first, linked.MessageId);
        Assert.Equal("politie", linked.Sender);
        Assert.Equal("StalkingReported", linked.SignalType);
    }

    private static async Task<SubjectSignalsResponse> Linked(LocalClient client, string bsn) =>
        await client.Api.GetSubjectSignalsAsync(new SubjectSignalsRequest { Subject = MatchCalls.Bsn(bsn) }, client.Headers);
}
