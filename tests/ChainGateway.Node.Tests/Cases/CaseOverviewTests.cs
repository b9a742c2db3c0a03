using ChainGateway.Contracts.V1;
using ChainGateway.Node.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace ChainGateway.Node.Tests.Cases;

public sealed class CaseOverviewTests
{
    [Fact]
    public async Task EachOrganisationsOverview_ShowsExactlyWhatItsRulesLetItSendOrReceive()
    {
        await using var federation = TestFederation.Create("politie", "om", "reclassering", "cjib");
        foreach (var org in new[] { "politie", "om", "reclassering", "cjib" })
        {
            await federation.StartAsync(org);
        }
        using var politie = federation.Client("politie");
        using var om = federation.Client("om");
        using var reclassering = federation.Client("reclassering");
        using var cjib = federation.Client("cjib");

        var sent = new List<(LocalClient Client, SendResponse Response)>
        {
            (politie, await politie.SendAsync("risk-assessment", ChainSignals.Report(), "om")),
            (politie, await politie.SendAsync("case-direction", ChainSignals.Director(), "om", "reclassering")),
            (politie, await politie.SendAsync("risk-assessment", ChainSignals.Risk(RiskLevel.High, trained: false), "om")),
            // The same measure under two rules: politie and reclassering get it whole; cjib (victim information) only
            // the protected person, kind and dates — not the subject it binds, not the area.
            (om, await om.SendAsync("protection-order-enforcement", ChainSignals.MeasureImposed(), "politie", "reclassering")),
            (om, await om.SendAsync("victim-contact", ChainSignals.MeasureImposed(), "cjib")),
            (reclassering, await reclassering.SendAsync("protection-order-enforcement", ChainSignals.NotSupervisable(), "om")),
            (politie, await politie.SendAsync("case-conference", ChainSignals.Conference(), "om", "reclassering")),
        };
        foreach (var (client, response) in sent)
        {
            foreach (var envelope in response.Envelopes)
            {
                Assert.Equal(DeliveryState.Delivered, (await client.WaitForFinalStateAsync(envelope.MessageId)).State);
            }
        }
        var suspect = new SubjectRef { Bsn = ChainSignals.Suspect };
        var victim = new SubjectRef { Bsn = ChainSignals.Victim };

        // om: received the report, the director, the flagged risk and the probation answer; sent the measure.
        var atOm = await Overview(om, suspect);
        Assert.Equal([ChainSignals.Case], atOm.CaseReferences);
        Assert.Equal("suspect", Assert.Single(atOm.Reports).Role);
        Assert.Equal("politie", atOm.CaseDirector.Director.Organisation);
        Assert.Equal("politie", atOm.CaseDirector.Source.Organisation);
        Assert.Equal(FactDirection.Received, atOm.CaseDirector.Source.Direction);
        Assert.Equal(RiskLevel.High, atOm.LatestRisk.Level);
        Assert.Equal([QualityFlag.UntrainedAssessor], atOm.LatestRisk.Flags);
        var measureAtOm = Assert.Single(atOm.MeasuresInForce);
        Assert.Equal("om", measureAtOm.ImposedBy);
        Assert.Equal(Supervisability.NotSupervisable, measureAtOm.Supervisability);
        Assert.Equal(NotSupervisableReason.SubjectResidesInArea, measureAtOm.NotSupervisableReason);
        Assert.Equal(90, measureAtOm.DaysLeft);
        Assert.Single(atOm.PendingConferences);

        // politie: its own report, director, risk and conference request; the measure — but never probation's answer,
        // which went to om only: the measure stays 'feasible' as far as politie can know.
        var atPolitie = await Overview(politie, suspect);
        Assert.All(atPolitie.Reports, r => Assert.Equal(FactDirection.Sent, r.Source.Direction));
        Assert.Equal(FactDirection.Sent, atPolitie.CaseDirector.Source.Direction);
        var measureAtPolitie = Assert.Single(atPolitie.MeasuresInForce);
        Assert.Equal(Supervisability.Feasible, measureAtPolitie.Supervisability);
        Assert.Equal("GM0363-W01", measureAtPolitie.AreaCode);
        Assert.DoesNotContain(measureAtPolitie.Sources, s => s.SignalType == "MeasureNotSupervisable");

        // reclassering: the measure, its own answer, the director and the conference request; no report, no risk.
        var atReclassering = await Overview(reclassering, suspect);
        Assert.Empty(atReclassering.Reports);
        Assert.Null(atReclassering.LatestRisk);
        Assert.Equal(Supervisability.NotSupervisable, Assert.Single(atReclassering.MeasuresInForce).Supervisability);
        Assert.NotNull(atReclassering.CaseDirector);
        Assert.Single(atReclassering.PendingConferences);

        // cjib: nothing about the suspect (its rule does not share the subject); about the victim, the measure that
        // protects her, without the area and without the supervision question.
        var cjibOnSuspect = await Overview(cjib, suspect);
        Assert.Equal(0u, cjibOnSuspect.Facts);
        var cjibOnVictim = await Overview(cjib, victim);
        var measureAtCjib = Assert.Single(cjibOnVictim.MeasuresInForce);
        Assert.Equal(MeasureKind.LocationBan, measureAtCjib.Kind);
        Assert.Equal(string.Empty, measureAtCjib.AreaCode);
        Assert.Equal(Supervisability.Unknown, measureAtCjib.Supervisability);
        Assert.Null(cjibOnVictim.CaseDirector);
        Assert.Null(cjibOnVictim.LatestRisk);

        // A subject nobody exchanged anything about has an empty overview.
        Assert.Equal(0u, (await Overview(om, new SubjectRef { LocalId = "nobody-1" })).Facts);
    }

    [Fact]
    public async Task AMinimisedCopySentLater_DoesNotBlankTheMeasureInTheImposersOverview()
    {
        await using var federation = TestFederation.Create("om", "politie", "reclassering", "cjib");
        foreach (var org in new[] { "om", "politie", "reclassering", "cjib" })
        {
            await federation.StartAsync(org);
        }
        using var om = federation.Client("om");

        // As above: the measure whole to politie and reclassering, then (one Send, one purpose) cjib's copy without the
        // area and the supervision question. Both copies name the victim as the protected person.
        var sent = new[]
        {
            await om.SendAsync("protection-order-enforcement", ChainSignals.MeasureImposed(), "politie", "reclassering"),
            await om.SendAsync("victim-contact", ChainSignals.MeasureImposed(), "cjib"),
        };
        foreach (var envelope in sent.SelectMany(r => r.Envelopes))
        {
            Assert.Equal(DeliveryState.Delivered, (await om.WaitForFinalStateAsync(envelope.MessageId)).State);
        }

        var measure = Assert.Single((await Overview(om, new SubjectRef { Bsn = ChainSignals.Victim })).MeasuresInForce);
        Assert.Equal(MeasureKind.LocationBan, measure.Kind);
        Assert.Equal("GM0363-W01", measure.AreaCode);
        Assert.Equal(Supervisability.Feasible, measure.Supervisability);
    }

    [Fact]
    public async Task AReceivedFact_KeepsWhenItsSenderMadeIt_BesideWhenItArrived()
    {
        // Whole milliseconds: the store keeps times to the millisecond.
        var start = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var omClock = new FakeTimeProvider(start.AddMinutes(-2)); // om's clock runs two minutes behind politie's
        var politieClock = new FakeTimeProvider(start);
        await using var federation = TestFederation.Create("om", "politie");
        await federation.StartAsync("om", omClock);
        await federation.StartAsync("politie", politieClock);
        using var om = federation.Client("om", omClock);
        using var politie = federation.Client("politie", politieClock);

        var sent = await om.SendAsync("protection-order-enforcement", ChainSignals.MeasureImposed(time: omClock), "politie");
        Assert.Equal(DeliveryState.Delivered, (await om.WaitForFinalStateAsync(sent.Envelopes[0].MessageId)).State);

        // The overview orders by when om made it (the envelope's created_at), and still shows when politie received it.
        var source = Assert.Single(Assert.Single((await Overview(politie, new SubjectRef { Bsn = ChainSignals.Suspect })).MeasuresInForce).Sources);
        Assert.Equal(FactDirection.Received, source.Direction);
        Assert.Equal(start.AddMinutes(-2), source.CreatedAt.ToDateTimeOffset());
        Assert.Equal(start, source.At.ToDateTimeOffset());

        // om's own copy: made and sent at once.
        var own = Assert.Single(Assert.Single((await Overview(om, new SubjectRef { Bsn = ChainSignals.Suspect })).MeasuresInForce).Sources);
        Assert.Equal(start.AddMinutes(-2), own.CreatedAt.ToDateTimeOffset());
        Assert.Equal(own.At, own.CreatedAt);
    }

    [Fact]
    public async Task Overview_NeedsTheCaseworkerRole_AndAnIdentifierNotAPseudonym()
    {
        await using var federation = TestFederation.Create("politie", "om");
        await federation.StartAsync("om");
        using var officer = federation.Client("om", "privacy-officer");
        var denied = await Assert.ThrowsAsync<RpcException>(() => Overview(officer, new SubjectRef { Bsn = ChainSignals.Suspect }));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);

        using var caseworker = federation.Client("om");
        var malformed = await Assert.ThrowsAsync<RpcException>(() => Overview(caseworker, new SubjectRef { Pseudonym = Google.Protobuf.ByteString.CopyFrom(new byte[32]) }));
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
        var badBsn = await Assert.ThrowsAsync<RpcException>(() => Overview(caseworker, new SubjectRef { Bsn = "123456789" }));
        Assert.Equal(StatusCode.InvalidArgument, badBsn.StatusCode);
        Assert.Equal("subject.bsn", Assert.Single(badBsn.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations).Field);
    }

    private static async Task<CaseOverview> Overview(LocalClient client, SubjectRef subject) =>
        await client.Api.GetCaseOverviewAsync(new CaseOverviewRequest { Subject = subject }, client.Headers);
}
