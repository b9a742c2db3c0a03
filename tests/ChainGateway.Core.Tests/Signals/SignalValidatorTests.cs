using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Signals;
using Google.Protobuf;

namespace ChainGateway.Core.Tests.Signals;

public sealed class SignalValidatorTests
{
    private static readonly DateOnly Today = new(2026, 11, 23);

    private static Signal Report() => new()
    {
        StalkingReported = new StalkingReported
        {
            ReportKind = ReportKind.Aangifte,
            ReportedOn = new Google.Type.Date { Year = 2026, Month = 11, Day = 20 },
            Suspect = new SubjectRef { Bsn = "123456782" },
            Victim = new SubjectRef { LocalId = "victim-17" },
            CaseReference = "PL-2026-1",
        },
    };

    private static Signal Risk() => new()
    {
        RiskAssessed = new RiskAssessed
        {
            Instrument = RiskInstrument.Sash,
            Level = RiskLevel.High,
            AssessedOn = new Google.Type.Date { Year = 2026, Month = 11, Day = 21 },
            TrainedAssessor = true,
            Subject = new SubjectRef { Bsn = "111222333" },
            CaseReference = "PL-2026-1",
        },
    };

    [Fact]
    public void CompleteLocalSignals_AreValid()
    {
        SignalValidator.ValidateLocal(Report(), Today);
        SignalValidator.ValidateLocal(Risk(), Today);
    }

    public static TheoryData<string, string> LocalViolations() => new()
    {
        { "no kind", "signal" },
        { "report kind unspecified", "signal.stalking_reported.report_kind" },
        { "report date missing", "signal.stalking_reported.reported_on" },
        { "report date not a calendar date", "signal.stalking_reported.reported_on" },
        { "report date in the future", "signal.stalking_reported.reported_on" },
        { "suspect missing", "signal.stalking_reported.suspect" },
        { "victim bsn fails the 11-check", "signal.stalking_reported.victim.bsn" },
        { "victim given as pseudonym", "signal.stalking_reported.victim" },
        { "case reference with free text", "signal.stalking_reported.case_reference" },
        { "case reference too long", "signal.stalking_reported.case_reference" },
        { "case reference empty", "signal.stalking_reported.case_reference" },
        { "instrument unspecified", "signal.risk_assessed.instrument" },
        { "level unspecified", "signal.risk_assessed.level" },
        { "assessed on missing", "signal.risk_assessed.assessed_on" },
        { "assessed on year 1800", "signal.risk_assessed.assessed_on" },
        { "subject missing", "signal.risk_assessed.subject" },
        { "subject local id with spaces", "signal.risk_assessed.subject.local_id" },
    };

    [Theory]
    [MemberData(nameof(LocalViolations))]
    public void EachLocalRule_RejectsItsFailingInput_NamingTheField(string violation, string field)
    {
        var signal = violation switch
        {
            "no kind" => new Signal(),
            "report kind unspecified" => With(Report(), s => s.StalkingReported.ReportKind = ReportKind.Unspecified),
            "report date missing" => With(Report(), s => s.StalkingReported.ReportedOn = null),
            "report date not a calendar date" => With(Report(), s => s.StalkingReported.ReportedOn = new Google.Type.Date { Year = 2026, Month = 2, Day = 30 }),
            "report date in the future" => With(Report(), s => s.StalkingReported.ReportedOn = new Google.Type.Date { Year = 2026, Month = 11, Day = 24 }),
            "suspect missing" => With(Report(), s => s.StalkingReported.Suspect = null),
            "victim bsn fails the 11-check" => With(Report(), s => s.StalkingReported.Victim = new SubjectRef { Bsn = "123456789" }),
            "victim given as pseudonym" => With(Report(), s => s.StalkingReported.Victim = new SubjectRef { Pseudonym = ByteString.CopyFrom(new byte[32]) }),
            "case reference with free text" => With(Report(), s => s.StalkingReported.CaseReference = "slaat haar"),
            "case reference too long" => With(Report(), s => s.StalkingReported.CaseReference = new string('A', 33)),
            "case reference empty" => With(Report(), s => s.StalkingReported.CaseReference = ""),
            "instrument unspecified" => With(Risk(), s => s.RiskAssessed.Instrument = RiskInstrument.Unspecified),
            "level unspecified" => With(Risk(), s => s.RiskAssessed.Level = RiskLevel.Unspecified),
            "assessed on missing" => With(Risk(), s => s.RiskAssessed.AssessedOn = null),
            "assessed on year 1800" => With(Risk(), s => s.RiskAssessed.AssessedOn = new Google.Type.Date { Year = 1800, Month = 1, Day = 1 }),
            "subject missing" => With(Risk(), s => s.RiskAssessed.Subject = null),
            _ => With(Risk(), s => s.RiskAssessed.Subject = new SubjectRef { LocalId = "with spaces" }),
        };
        var error = Assert.Throws<ChainGatewayException>(() => SignalValidator.ValidateLocal(signal, Today));
        Assert.Equal(ReasonCode.Malformed, error.Reason);
        Assert.Equal(field, error.FieldPath);
    }

    [Fact]
    public void WireSignal_MayBeMinimised_ButSubjectsMustBe32BytePseudonyms()
    {
        var minimised = new Signal { RiskAssessed = new RiskAssessed { Level = RiskLevel.High, Subject = new SubjectRef { Pseudonym = ByteString.CopyFrom(new byte[32]) } } };
        SignalValidator.ValidateWire(minimised, Today);

        var shortPseudonym = With(minimised, s => s.RiskAssessed.Subject.Pseudonym = ByteString.CopyFrom(new byte[31]));
        Assert.Equal("signal.risk_assessed.subject.pseudonym", Assert.Throws<ChainGatewayException>(() => SignalValidator.ValidateWire(shortPseudonym, Today)).FieldPath);

        var bsnOnTheWire = With(minimised, s => s.RiskAssessed.Subject = new SubjectRef { Bsn = "123456782" });
        Assert.Equal("signal.risk_assessed.subject", Assert.Throws<ChainGatewayException>(() => SignalValidator.ValidateWire(bsnOnTheWire, Today)).FieldPath);
    }

    private static Signal With(Signal signal, Action<Signal> change)
    {
        change(signal);
        return signal;
    }
}
