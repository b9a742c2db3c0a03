using ChainGateway.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace ChainGateway.Core.Tests.Signals;

/// <summary>One complete, valid local signal of every type in the catalogue, as of <see cref="Now"/>.</summary>
internal static class ValidSignals
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public static Google.Type.Date Day(int offset)
    {
        var day = DateOnly.FromDateTime(Now.UtcDateTime).AddDays(offset);
        return new Google.Type.Date { Year = day.Year, Month = day.Month, Day = day.Day };
    }

    public static ContactPoint Contact() => new()
    {
        Organisation = "politie",
        Function = "casusregisseur",
        WorkPhone = "+31887000000",
        WorkEmail = "casusregie.oost@politie.example",
    };

    public static Signal Report() => new()
    {
        StalkingReported = new StalkingReported
        {
            ReportKind = ReportKind.Aangifte,
            ReportedOn = Day(-3),
            Suspect = new SubjectRef { Bsn = "123456782" },
            Victim = new SubjectRef { LocalId = "victim-17" },
            CaseReference = "PL-2026-1",
        },
    };

    public static Signal Risk() => new()
    {
        RiskAssessed = new RiskAssessed
        {
            Instrument = RiskInstrument.Sash,
            Level = RiskLevel.High,
            AssessedOn = Day(-2),
            TrainedAssessor = true,
            Subject = new SubjectRef { Bsn = "111222333" },
            CaseReference = "PL-2026-1",
        },
    };

    public static Signal Director() => new()
    {
        CaseDirectorAssigned = new CaseDirectorAssigned
        {
            Subject = new SubjectRef { Bsn = "123456782" },
            CaseReference = "PL-2026-1",
            Director = Contact(),
            FromDate = Day(0),
        },
    };

    public static Signal VictimContact() => new()
    {
        VictimContactAssigned = new VictimContactAssigned
        {
            Subject = new SubjectRef { LocalId = "victim-17" },
            CaseReference = "PL-2026-1",
            Contact = Contact(),
            FollowUp = new FollowUpAgreement { IntervalDays = 14, Channel = ContactChannel.Phone },
            FromDate = Day(0),
        },
    };

    public static Signal Measure() => new()
    {
        ProtectionMeasureImposed = new ProtectionMeasureImposed
        {
            Subject = new SubjectRef { Bsn = "123456782" },
            ProtectedPerson = new SubjectRef { LocalId = "victim-17" },
            CaseReference = "OM-2026-77",
            MeasureId = "GA-2026-77-2",
            Kind = MeasureKind.LocationBan,
            AreaCode = "GM0363-W01",
            ValidFrom = Day(0),
            ValidTo = Day(90),
            SupervisionFeasible = true,
        },
    };

    public static Signal NotSupervisable() => new()
    {
        MeasureNotSupervisable = new MeasureNotSupervisable
        {
            Subject = new SubjectRef { Bsn = "123456782" },
            CaseReference = "OM-2026-77",
            MeasureId = "GA-2026-77-2",
            Reason = NotSupervisableReason.AreaNotDefined,
        },
    };

    public static Signal Alert() => new()
    {
        ProximityAlert = new ProximityAlert
        {
            Subject = new SubjectRef { Bsn = "123456782" },
            CaseReference = "OM-2026-77",
            MeasureId = "GA-2026-77-2",
            DetectedAt = Timestamp.FromDateTimeOffset(Now.AddMinutes(-1)),
            Urgency = Urgency.Immediate,
        },
    };

    public static Signal Conference() => new()
    {
        CaseConferenceRequested = new CaseConferenceRequested
        {
            Subject = new SubjectRef { Bsn = "123456782" },
            CaseReference = "PL-2026-1",
            Forum = Forum.Actieoverleg,
            Reason = ConferenceReason.EscalatingRisk,
            RequestedDate = Day(7),
        },
    };

    public static IEnumerable<Signal> Local() =>
        [Report(), Risk(), Director(), VictimContact(), Measure(), NotSupervisable(), Alert(), Conference()];
}
