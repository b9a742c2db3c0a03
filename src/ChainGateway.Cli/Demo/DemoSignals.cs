using ChainGateway.Contracts.V1;

namespace ChainGateway.Cli.Demo;

/// <summary>The demo case: one stalking victim, one suspect, identified locally by (fictitious, 11-check-valid) BSNs.</summary>
internal static class DemoSignals
{
    public const string VictimBsn = "111222333";
    public const string SuspectBsn = "123456782";
    public const string CaseReference = "PL-2026-0815";

    public static Google.Type.Date Today(int daysAgo = 0)
    {
        var day = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime).AddDays(-daysAgo);
        return new Google.Type.Date { Year = day.Year, Month = day.Month, Day = day.Day };
    }

    public static Signal StalkingReported() => new()
    {
        StalkingReported = new StalkingReported
        {
            ReportKind = ReportKind.Aangifte,
            ReportedOn = Today(1),
            Suspect = new SubjectRef { Bsn = SuspectBsn },
            Victim = new SubjectRef { Bsn = VictimBsn },
            CaseReference = CaseReference,
        },
    };

    public static Signal RiskAssessed(RiskLevel level, bool trained = true) => new()
    {
        RiskAssessed = new RiskAssessed
        {
            Instrument = RiskInstrument.Sash,
            Level = level,
            AssessedOn = Today(),
            TrainedAssessor = trained,
            Subject = new SubjectRef { Bsn = SuspectBsn },
            CaseReference = CaseReference,
        },
    };
}
