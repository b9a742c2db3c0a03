using ChainGateway.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace ChainGateway.Node.Tests.Infrastructure;

/// <summary>Complete local signals of every type in the catalogue, about the suspect and victim of one case, dated from today.</summary>
public static class ChainSignals
{
    public const string Suspect = HandBuilt.Bsn;
    public const string Victim = "111222333";
    public const string Case = "PL-2026-1";
    public const string Measure = "GA-2026-77-2";

    public static Google.Type.Date Day(int offset, TimeProvider? time = null)
    {
        var day = DateOnly.FromDateTime((time ?? TimeProvider.System).GetUtcNow().UtcDateTime).AddDays(offset);
        return new Google.Type.Date { Year = day.Year, Month = day.Month, Day = day.Day };
    }

    public static ContactPoint Contact(string organisation, string function) => new()
    {
        Organisation = organisation,
        Function = function,
        WorkPhone = "+31887000000",
        WorkEmail = function + "@" + organisation + ".example",
    };

    public static Signal Report() => Signals.StalkingReported(Suspect, Victim);

    public static Signal Risk(RiskLevel level, bool trained) => new()
    {
        RiskAssessed = new RiskAssessed
        {
            Instrument = RiskInstrument.Sash,
            Level = level,
            AssessedOn = Day(-1),
            TrainedAssessor = trained,
            Subject = new SubjectRef { Bsn = Suspect },
            CaseReference = Case,
        },
    };

    public static Signal Director(string organisation = "politie") => new()
    {
        CaseDirectorAssigned = new CaseDirectorAssigned
        {
            Subject = new SubjectRef { Bsn = Suspect },
            CaseReference = Case,
            Director = Contact(organisation, "casusregisseur"),
            FromDate = Day(0),
        },
    };

    public static Signal VictimContact() => new()
    {
        VictimContactAssigned = new VictimContactAssigned
        {
            Subject = new SubjectRef { Bsn = Victim },
            CaseReference = Case,
            Contact = Contact("om", "slachtoffercoordinator"),
            FollowUp = new FollowUpAgreement { IntervalDays = 14, Channel = ContactChannel.Phone },
            FromDate = Day(0),
        },
    };

    public static Signal MeasureImposed(int daysValid = 90, MeasureKind kind = MeasureKind.LocationBan, string measureId = Measure, TimeProvider? time = null) => new()
    {
        ProtectionMeasureImposed = new ProtectionMeasureImposed
        {
            Subject = new SubjectRef { Bsn = Suspect },
            ProtectedPerson = new SubjectRef { Bsn = Victim },
            CaseReference = Case,
            MeasureId = measureId,
            Kind = kind,
            AreaCode = kind is MeasureKind.LocationBan or MeasureKind.AreaBan ? "GM0363-W01" : string.Empty,
            ValidFrom = Day(0, time),
            ValidTo = Day(daysValid, time),
            SupervisionFeasible = true,
        },
    };

    public static Signal NotSupervisable() => new()
    {
        MeasureNotSupervisable = new MeasureNotSupervisable
        {
            Subject = new SubjectRef { Bsn = Suspect },
            CaseReference = Case,
            MeasureId = Measure,
            Reason = NotSupervisableReason.SubjectResidesInArea,
        },
    };

    public static Signal Proximity() => new()
    {
        ProximityAlert = new ProximityAlert
        {
            Subject = new SubjectRef { Bsn = Suspect },
            CaseReference = Case,
            MeasureId = Measure,
            DetectedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddSeconds(-5)),
            Urgency = Urgency.Immediate,
        },
    };

    public static Signal Conference() => new()
    {
        CaseConferenceRequested = new CaseConferenceRequested
        {
            Subject = new SubjectRef { Bsn = Suspect },
            CaseReference = Case,
            Forum = Forum.Actieoverleg,
            Reason = ConferenceReason.MeasureNotSupervisable,
            RequestedDate = Day(7),
        },
    };
}
