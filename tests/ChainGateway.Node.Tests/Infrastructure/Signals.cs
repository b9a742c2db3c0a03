using ChainGateway.Contracts.V1;

namespace ChainGateway.Node.Tests.Infrastructure;

public static class Signals
{
    public static Google.Type.Date Yesterday()
    {
        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        return new Google.Type.Date { Year = day.Year, Month = day.Month, Day = day.Day };
    }

    public static Signal StalkingReported(string suspectBsn = HandBuilt.Bsn, string victimBsn = "111222333") => new()
    {
        StalkingReported = new StalkingReported
        {
            ReportKind = ReportKind.Aangifte,
            ReportedOn = Yesterday(),
            Suspect = new SubjectRef { Bsn = suspectBsn },
            Victim = new SubjectRef { Bsn = victimBsn },
            CaseReference = "PL-2026-1",
        },
    };

    public static Signal RiskAssessed(RiskLevel level) => new()
    {
        RiskAssessed = new RiskAssessed
        {
            Instrument = RiskInstrument.Sash,
            Level = level,
            AssessedOn = Yesterday(),
            TrainedAssessor = true,
            Subject = new SubjectRef { Bsn = HandBuilt.Bsn },
            CaseReference = "PL-2026-1",
        },
    };
}
