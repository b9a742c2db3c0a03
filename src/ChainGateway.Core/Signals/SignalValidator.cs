using System.Text.RegularExpressions;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Subjects;

namespace ChainGateway.Core.Signals;

/// <summary>
/// Strict validation of signals: only enums, dates, short bounded codes and subject references; never free text.
/// Local signals (from the organisation's systems) must be complete and name subjects by BSN or local id. Wire
/// signals (received) are minimised, so a field may be absent, but whatever is present must be valid, and subjects
/// must be 32-byte pseudonyms. The first violation throws MALFORMED with its field path.
/// </summary>
public static partial class SignalValidator
{
    public static void ValidateLocal(Signal signal, DateOnly today) => Validate(signal, today, wire: false);

    public static void ValidateWire(Signal signal, DateOnly today) => Validate(signal, today, wire: true);

    private static void Validate(Signal signal, DateOnly today, bool wire)
    {
        ArgumentNullException.ThrowIfNull(signal);
        switch (signal.KindCase)
        {
            case Signal.KindOneofCase.StalkingReported:
                var report = signal.StalkingReported;
                const string r = "signal.stalking_reported";
                Enum(report.ReportKind != ReportKind.Unspecified, wire, $"{r}.report_kind", "melding or aangifte");
                Date(report.ReportedOn, today, wire, $"{r}.reported_on");
                Subject(report.Suspect, wire, $"{r}.suspect");
                Subject(report.Victim, wire, $"{r}.victim");
                CaseReference(report.CaseReference, wire, $"{r}.case_reference");
                break;
            case Signal.KindOneofCase.RiskAssessed:
                var risk = signal.RiskAssessed;
                const string a = "signal.risk_assessed";
                Enum(risk.Instrument != RiskInstrument.Unspecified, wire, $"{a}.instrument", "SASH");
                Enum(risk.Level != RiskLevel.Unspecified, wire, $"{a}.level", "low, medium, high or acute");
                Date(risk.AssessedOn, today, wire, $"{a}.assessed_on");
                Subject(risk.Subject, wire, $"{a}.subject");
                CaseReference(risk.CaseReference, wire, $"{a}.case_reference");
                break;
            default:
                throw new ChainGatewayException(ReasonCode.Malformed, "the signal has no kind set", "signal");
        }
    }

    private static void Enum(bool set, bool wire, string path, string expected)
    {
        if (!set && !wire)
        {
            throw new ChainGatewayException(ReasonCode.Malformed, $"required: one of {expected}", path);
        }
    }

    private static void Date(Google.Type.Date? date, DateOnly today, bool wire, string path)
    {
        if (date is null)
        {
            if (!wire)
            {
                throw new ChainGatewayException(ReasonCode.Malformed, "a date is required", path);
            }
            return;
        }
        if (date.Year is < 1900 or > 2100 || date.Month is < 1 or > 12 || date.Day < 1 || date.Day > DateTime.DaysInMonth(date.Year, date.Month))
        {
            throw new ChainGatewayException(ReasonCode.Malformed, $"{date.Year:D4}-{date.Month:D2}-{date.Day:D2} is not a calendar date", path);
        }
        if (new DateOnly(date.Year, date.Month, date.Day) > today)
        {
            throw new ChainGatewayException(ReasonCode.Malformed, "the date lies in the future", path);
        }
    }

    private static void Subject(SubjectRef? subject, bool wire, string path)
    {
        if (subject is null || subject.IdCase == SubjectRef.IdOneofCase.None)
        {
            if (!wire)
            {
                throw new ChainGatewayException(ReasonCode.Malformed, "a subject (bsn or local_id) is required", path);
            }
            return;
        }
        switch (subject.IdCase)
        {
            case SubjectRef.IdOneofCase.Pseudonym when wire:
                if (subject.Pseudonym.Length != PairwisePseudonymizer.Size)
                {
                    throw new ChainGatewayException(ReasonCode.Malformed, "a pseudonym is 32 bytes", path + ".pseudonym");
                }
                break;
            case SubjectRef.IdOneofCase.Bsn when !wire:
                SubjectId.Bsn(subject.Bsn, path + ".bsn");
                break;
            case SubjectRef.IdOneofCase.LocalId when !wire:
                SubjectId.Local(subject.LocalId, path + ".local_id");
                break;
            default:
                throw new ChainGatewayException(ReasonCode.Malformed,
                    wire ? "only pseudonyms may cross the wire" : "give the subject as bsn or local_id; pseudonyms are made by the node", path);
        }
    }

    private static void CaseReference(string value, bool wire, string path)
    {
        if (value.Length == 0 && wire)
        {
            return;
        }
        if (!CaseReferencePattern().IsMatch(value))
        {
            throw new ChainGatewayException(ReasonCode.Malformed, "a case reference is 1 to 32 characters of A-Z, a-z, 0-9 and '-'", path);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9-]{1,32}$")]
    private static partial Regex CaseReferencePattern();
}
