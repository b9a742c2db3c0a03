using ChainGateway.Contracts.V1;
using ChainGateway.Core.Cases;
using Google.Protobuf;

namespace ChainGateway.Core.Tests.Cases;

public sealed class CaseOverviewAssemblerTests
{
    private static readonly DateOnly Today = new(2026, 11, 23);
    private static readonly DateTimeOffset Noon = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Subject = [.. Enumerable.Repeat((byte)7, 32)];

    private static Google.Type.Date Day(int offset)
    {
        var d = Today.AddDays(offset);
        return new Google.Type.Date { Year = d.Year, Month = d.Month, Day = d.Day };
    }

    private static SubjectRef Ref() => new() { Pseudonym = ByteString.CopyFrom(Subject) };

    /// <param name="minutes">When this node sent or received it.</param>
    /// <param name="createdMinutes">When its sender made it; <paramref name="minutes"/> unless given.</param>
    private static CaseFact Fact(FactDirection direction, string partner, Signal signal, int minutes, int? createdMinutes = null) =>
        new(direction, partner, Guid.NewGuid(), Core.Signals.SignalTypes.Of(signal), "p", "r", Noon.AddMinutes(minutes), Noon.AddDays(365),
            new SignalPayload { Signal = signal }.ToByteArray(), [Subject], Noon.AddMinutes(createdMinutes ?? minutes));

    private static Signal Measure(string id, int days, bool feasible) => new()
    {
        ProtectionMeasureImposed = new ProtectionMeasureImposed
        {
            Subject = Ref(),
            CaseReference = "OM-1",
            MeasureId = id,
            Kind = MeasureKind.ContactBan,
            ValidFrom = Day(-10),
            ValidTo = Day(days),
            SupervisionFeasible = feasible,
        },
    };

    [Fact]
    public void Measures_AreMergedPerMeasure_EndedOnesDropped_AndProbationsAnswerWins()
    {
        var expiring = new Signal { MeasureExpiring = new MeasureExpiring { Subject = Ref(), MeasureId = "GA-1", ExpiresOn = Day(14), DaysLeft = 14 } };
        var facts = new[]
        {
            // The same measure sent to two partners, and its reminder to three: one measure, one source each.
            Fact(FactDirection.Sent, "politie", Measure("GA-1", 14, feasible: true), 0),
            Fact(FactDirection.Sent, "reclassering", Measure("GA-1", 14, feasible: true), 0),
            Fact(FactDirection.Sent, "politie", expiring, 5),
            Fact(FactDirection.Sent, "reclassering", expiring, 6),
            Fact(FactDirection.Received, "reclassering", new Signal
            {
                MeasureNotSupervisable = new MeasureNotSupervisable { Subject = Ref(), MeasureId = "GA-1", Reason = NotSupervisableReason.NoCapacity },
            }, 7),
            Fact(FactDirection.Sent, "politie", Measure("GA-0", -1, feasible: true), 1), // ended yesterday
            Fact(FactDirection.Sent, "politie", Measure("GA-2", 30, feasible: false), 2),
        };
        var overview = new CaseOverviewAssembler("om", Today).Build(facts, (_, _) => true);

        Assert.Equal(7u, overview.Facts);
        Assert.Equal(["GA-1", "GA-2"], overview.MeasuresInForce.Select(m => m.MeasureId));
        var first = overview.MeasuresInForce[0];
        Assert.Equal(Supervisability.NotSupervisable, first.Supervisability);
        Assert.Equal(NotSupervisableReason.NoCapacity, first.NotSupervisableReason);
        Assert.Equal(14, first.DaysLeft);
        Assert.Equal(["ProtectionMeasureImposed", "MeasureExpiring", "MeasureNotSupervisable"], first.Sources.Select(s => s.SignalType));
        Assert.Equal("reclassering", first.Sources[2].Organisation);
        Assert.Equal(Supervisability.NotFeasibleAtImposition, overview.MeasuresInForce[1].Supervisability);
    }

    [Fact]
    public void AMinimisedCopy_DoesNotBlankWhatTheFullCopySaid()
    {
        Signal LocationBan(string? area, bool? feasible, int days)
        {
            var imposed = new ProtectionMeasureImposed
            {
                ProtectedPerson = Ref(),
                CaseReference = "OM-1",
                MeasureId = "GA-1",
                Kind = MeasureKind.LocationBan,
                AreaCode = area ?? string.Empty,
                ValidFrom = Day(-10),
                ValidTo = Day(days),
            };
            if (feasible is { } f)
            {
                imposed.SupervisionFeasible = f;
            }
            return new Signal { ProtectionMeasureImposed = imposed };
        }

        // One Send carries one purpose: the whole measure to politie (enforcement), then the victim-information copy to
        // cjib, whose rule shares neither the area nor the supervision question.
        var full = Fact(FactDirection.Sent, "politie", LocationBan("GM0363-W01", feasible: true, days: 90), 0);
        var minimised = Fact(FactDirection.Sent, "cjib", LocationBan(area: null, feasible: null, days: 90), 1);
        var measure = Assert.Single(new CaseOverviewAssembler("om", Today).Build([full, minimised], (_, _) => true).MeasuresInForce);
        Assert.Equal("GM0363-W01", measure.AreaCode);
        Assert.Equal(Supervisability.Feasible, measure.Supervisability);
        Assert.Equal(90, measure.DaysLeft);

        // A field that is there still corrects what an earlier signal said.
        var corrected = Fact(FactDirection.Sent, "politie", LocationBan("GM0363-W02", feasible: false, days: 60), 2);
        measure = Assert.Single(new CaseOverviewAssembler("om", Today).Build([full, minimised, corrected], (_, _) => true).MeasuresInForce);
        Assert.Equal("GM0363-W02", measure.AreaCode);
        Assert.Equal(Supervisability.NotFeasibleAtImposition, measure.Supervisability);
        Assert.Equal(60, measure.DaysLeft);

        // A correction to a kind that has no area (area_code is absent for those) drops the old area.
        var contactBan = LocationBan(area: null, feasible: null, days: 60);
        contactBan.ProtectionMeasureImposed.Kind = MeasureKind.ContactBan;
        measure = Assert.Single(new CaseOverviewAssembler("om", Today)
            .Build([full, minimised, corrected, Fact(FactDirection.Sent, "politie", contactBan, 3)], (_, _) => true).MeasuresInForce);
        Assert.Equal(MeasureKind.ContactBan, measure.Kind);
        Assert.Equal(string.Empty, measure.AreaCode);
        Assert.Equal(Supervisability.NotFeasibleAtImposition, measure.Supervisability);
    }

    [Fact]
    public void AnOlderImpositionReceivedLate_DoesNotReplaceTheCorrection()
    {
        // om made the imposition (ending in 90 days) and a minute later its correction (180 days); deliveries run in
        // parallel and retries are jittered, so politie received the correction first.
        var facts = new[]
        {
            Fact(FactDirection.Received, "om", Measure("GA-1", 90, feasible: true), minutes: 10, createdMinutes: 0),
            Fact(FactDirection.Received, "om", Measure("GA-1", 180, feasible: true), minutes: 5, createdMinutes: 1),
            // The same for an assessment corrected on the same day.
            Fact(FactDirection.Received, "veilig-thuis", new Signal
            {
                RiskAssessed = new RiskAssessed { Subject = Ref(), Level = RiskLevel.Acute, AssessedOn = Day(0), TrainedAssessor = true },
            }, minutes: 12, createdMinutes: 2),
            Fact(FactDirection.Received, "veilig-thuis", new Signal
            {
                RiskAssessed = new RiskAssessed { Subject = Ref(), Level = RiskLevel.Medium, AssessedOn = Day(0), TrainedAssessor = true },
            }, minutes: 6, createdMinutes: 3),
        };
        var overview = new CaseOverviewAssembler("politie", Today).Build(facts, (_, _) => true);
        Assert.Equal(Day(180), Assert.Single(overview.MeasuresInForce).ValidTo);
        Assert.Equal(RiskLevel.Medium, overview.LatestRisk.Level);
        Assert.Equal(Noon.AddMinutes(3), overview.LatestRisk.Source.CreatedAt.ToDateTimeOffset());
        Assert.Equal(Noon.AddMinutes(6), overview.LatestRisk.Source.At.ToDateTimeOffset());

        // On the old end's 91st day the ban is still in force.
        var later = Assert.Single(new CaseOverviewAssembler("politie", Today.AddDays(91)).Build(facts, (_, _) => true).MeasuresInForce);
        Assert.Equal(89, later.DaysLeft);
    }

    [Fact]
    public void ProximityAlerts_AreNewestDetectedFirst_NotNewestSentFirst()
    {
        Signal Alert(string measureId, int detectedMinutes, Urgency urgency) => new()
        {
            ProximityAlert = new ProximityAlert
            {
                Subject = Ref(),
                MeasureId = measureId,
                DetectedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(Noon.AddMinutes(detectedMinutes)),
                Urgency = urgency,
            },
        };
        var facts = new[]
        {
            // Detected at 11:00 but sent only at 12:10 (the monitor was offline); detected at 11:30, sent at 12:05.
            Fact(FactDirection.Received, "reclassering", Alert("GA-1", -60, Urgency.Immediate), minutes: 10),
            Fact(FactDirection.Received, "reclassering", Alert("GA-1", -30, Urgency.High), minutes: 5),
            // Two detected at one moment: the newer signal first.
            Fact(FactDirection.Received, "reclassering", Alert("GA-1", -45, Urgency.High), minutes: 1),
            Fact(FactDirection.Received, "reclassering", Alert("GA-2", -45, Urgency.Immediate), minutes: 2),
        };
        var alerts = new CaseOverviewAssembler("politie", Today).Build(facts, (_, _) => true).ProximityAlerts;
        Assert.Equal([Noon.AddMinutes(-30), Noon.AddMinutes(-45), Noon.AddMinutes(-45), Noon.AddMinutes(-60)],
            alerts.Select(a => a.DetectedAt.ToDateTimeOffset()));
        Assert.Equal(["GA-1", "GA-2", "GA-1", "GA-1"], alerts.Select(a => a.MeasureId));
    }

    [Fact]
    public void LatestRiskAndDirector_AreTheLatestByDate_AStartedAssignmentBeatsAFutureOne()
    {
        Signal Risk(RiskLevel level, int day, bool trained) => new()
        {
            RiskAssessed = new RiskAssessed { Level = level, AssessedOn = Day(day), TrainedAssessor = trained, Subject = Ref() },
        };
        Signal Director(string org, int from) => new()
        {
            CaseDirectorAssigned = new CaseDirectorAssigned { Subject = Ref(), Director = new ContactPoint { Organisation = org, Function = "casusregisseur" }, FromDate = Day(from) },
        };
        var facts = new[]
        {
            Fact(FactDirection.Received, "veilig-thuis", Risk(RiskLevel.Acute, -1, trained: false), 10), // newer assessment, received earlier
            Fact(FactDirection.Received, "politie", Risk(RiskLevel.Low, -5, trained: true), 20),
            Fact(FactDirection.Received, "politie", Director("politie", -3), 0),
            Fact(FactDirection.Received, "om", Director("om", 10), 30), // starts in ten days
        };
        var overview = new CaseOverviewAssembler("reclassering", Today).Build(facts, (_, _) => true);
        Assert.Equal(RiskLevel.Acute, overview.LatestRisk.Level);
        Assert.Equal("veilig-thuis", overview.LatestRisk.Source.Organisation);
        Assert.Equal([QualityFlag.UntrainedAssessor], overview.LatestRisk.Flags);
        Assert.Equal("politie", overview.CaseDirector.Director.Organisation);
    }
}
