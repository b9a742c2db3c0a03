using ChainGateway.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace ChainGateway.Cli.Demo;

/// <summary>
/// The demo case: one stalking victim, one suspect, identified locally by (fictitious, 11-check-valid) BSNs, and
/// the signals the chain exchanges about them. Contacts are function mailboxes and numbers at example domains.
/// </summary>
internal static class DemoSignals
{
    public const string VictimBsn = "111222333";
    public const string SuspectBsn = "123456782";
    public const string UnknownBsn = "192837461";
    public const string CaseReference = "PL-2026-0815";
    public const string ContactBan = "GA-2026-0815-1";
    public const string LocationBan = "GA-2026-0815-2";

    public static Google.Type.Date Day(int offset = 0)
    {
        var day = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime).AddDays(offset);
        return new Google.Type.Date { Year = day.Year, Month = day.Month, Day = day.Day };
    }

    public static SubjectRef Suspect => new() { Bsn = SuspectBsn };

    public static SubjectRef Victim => new() { Bsn = VictimBsn };

    public static Signal StalkingReported() => new()
    {
        StalkingReported = new StalkingReported
        {
            ReportKind = ReportKind.Aangifte,
            ReportedOn = Day(-1),
            Suspect = Suspect,
            Victim = Victim,
            CaseReference = CaseReference,
        },
    };

    public static Signal RiskAssessed(RiskLevel level, bool trained = true) => new()
    {
        RiskAssessed = new RiskAssessed
        {
            Instrument = RiskInstrument.Sash,
            Level = level,
            AssessedOn = Day(),
            TrainedAssessor = trained,
            Subject = Suspect,
            CaseReference = CaseReference,
        },
    };

    public static Signal CaseDirectorAssigned() => new()
    {
        CaseDirectorAssigned = new CaseDirectorAssigned
        {
            Subject = Suspect,
            CaseReference = CaseReference,
            Director = new ContactPoint
            {
                Organisation = "politie",
                Function = "casusregisseur",
                WorkPhone = "+31887001234",
                WorkEmail = "casusregie.oost@politie.example",
            },
            FromDate = Day(),
        },
    };

    public static Signal VictimContactAssigned() => new()
    {
        VictimContactAssigned = new VictimContactAssigned
        {
            Subject = Victim,
            CaseReference = CaseReference,
            Contact = new ContactPoint
            {
                Organisation = "om",
                Function = "slachtoffercoordinator",
                WorkPhone = "+31887005678",
                WorkEmail = "slachtofferloket.oost@om.example",
            },
            FollowUp = new FollowUpAgreement { IntervalDays = 14, Channel = ContactChannel.Phone },
            FromDate = Day(),
        },
    };

    public static Signal Measure(string measureId, MeasureKind kind, int daysValid) => new()
    {
        ProtectionMeasureImposed = new ProtectionMeasureImposed
        {
            Subject = Suspect,
            ProtectedPerson = Victim,
            CaseReference = CaseReference,
            MeasureId = measureId,
            Kind = kind,
            AreaCode = kind == MeasureKind.LocationBan ? "GM0363-WOONADRES" : string.Empty,
            ValidFrom = Day(),
            ValidTo = Day(daysValid),
            SupervisionFeasible = true,
        },
    };

    public static Signal NotSupervisable(string measureId) => new()
    {
        MeasureNotSupervisable = new MeasureNotSupervisable
        {
            Subject = Suspect,
            CaseReference = CaseReference,
            MeasureId = measureId,
            Reason = NotSupervisableReason.NoElectronicMonitoring,
        },
    };

    public static Signal ProximityAlert(string measureId) => new()
    {
        ProximityAlert = new ProximityAlert
        {
            Subject = Suspect,
            CaseReference = CaseReference,
            MeasureId = measureId,
            DetectedAt = Timestamp.FromDateTimeOffset(TimeProvider.System.GetUtcNow()),
            Urgency = Urgency.Immediate,
        },
    };

    public static Signal CaseConferenceRequested() => new()
    {
        CaseConferenceRequested = new CaseConferenceRequested
        {
            Subject = Suspect,
            CaseReference = CaseReference,
            Forum = Forum.Actieoverleg,
            Reason = ConferenceReason.MeasureNotSupervisable,
            RequestedDate = Day(2),
        },
    };
}
