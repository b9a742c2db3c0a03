using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;

namespace ChainGateway.Core.Signals;

/// <summary>
/// Strict validation of signals: only enums, dates, times, short bounded codes, work contacts and subject references;
/// never free text. Local signals (from the organisation's systems) must be complete and name subjects by BSN or
/// local id. Wire signals (received) are minimised, so a field may be absent, but whatever is present must be valid,
/// and subjects must be 32-byte pseudonyms. The first violation throws MALFORMED with its field path.
/// </summary>
public static class SignalValidator
{
    public static void ValidateLocal(Signal signal, DateTimeOffset now) => Validate(signal, new SignalFieldRules(now, wire: false));

    public static void ValidateWire(Signal signal, DateTimeOffset now) => Validate(signal, new SignalFieldRules(now, wire: true));

    private static void Validate(Signal signal, SignalFieldRules check)
    {
        ArgumentNullException.ThrowIfNull(signal);
        switch (signal.KindCase)
        {
            case Signal.KindOneofCase.StalkingReported:
                var report = signal.StalkingReported;
                const string r = "signal.stalking_reported";
                check.Enum(report.ReportKind, $"{r}.report_kind", "melding or aangifte");
                check.PastDate(report.ReportedOn, $"{r}.reported_on");
                check.Subject(report.Suspect, $"{r}.suspect");
                check.Subject(report.Victim, $"{r}.victim");
                check.Code(report.CaseReference, $"{r}.case_reference", "a case reference");
                break;
            case Signal.KindOneofCase.RiskAssessed:
                var risk = signal.RiskAssessed;
                const string a = "signal.risk_assessed";
                check.Enum(risk.Instrument, $"{a}.instrument", "SASH");
                check.Enum(risk.Level, $"{a}.level", "low, medium, high or acute");
                check.PastDate(risk.AssessedOn, $"{a}.assessed_on");
                check.Required(risk.HasTrainedAssessor, $"{a}.trained_assessor", "say whether a trained assessor filled it in (true or false)");
                check.Subject(risk.Subject, $"{a}.subject");
                check.Code(risk.CaseReference, $"{a}.case_reference", "a case reference");
                break;
            case Signal.KindOneofCase.CaseDirectorAssigned:
                var director = signal.CaseDirectorAssigned;
                const string d = "signal.case_director_assigned";
                check.Subject(director.Subject, $"{d}.subject");
                check.Code(director.CaseReference, $"{d}.case_reference", "a case reference");
                check.Contact(director.Director, $"{d}.director");
                check.DateUpTo(director.FromDate, $"{d}.from_date", daysAhead: 365);
                break;
            case Signal.KindOneofCase.VictimContactAssigned:
                var victim = signal.VictimContactAssigned;
                const string v = "signal.victim_contact_assigned";
                check.Subject(victim.Subject, $"{v}.subject");
                check.Code(victim.CaseReference, $"{v}.case_reference", "a case reference");
                check.Contact(victim.Contact, $"{v}.contact");
                check.FollowUp(victim.FollowUp, $"{v}.follow_up");
                check.DateUpTo(victim.FromDate, $"{v}.from_date", daysAhead: 365);
                break;
            case Signal.KindOneofCase.ProtectionMeasureImposed:
                ValidateMeasure(signal.ProtectionMeasureImposed, check);
                break;
            case Signal.KindOneofCase.MeasureNotSupervisable:
                var refusal = signal.MeasureNotSupervisable;
                const string n = "signal.measure_not_supervisable";
                check.Subject(refusal.Subject, $"{n}.subject");
                check.Code(refusal.CaseReference, $"{n}.case_reference", "a case reference");
                check.Code(refusal.MeasureId, $"{n}.measure_id", "a measure id");
                check.Enum(refusal.Reason, $"{n}.reason", "a NotSupervisableReason");
                break;
            case Signal.KindOneofCase.MeasureExpiring:
                ValidateExpiring(signal.MeasureExpiring, check);
                break;
            case Signal.KindOneofCase.ProximityAlert:
                var alert = signal.ProximityAlert;
                const string p = "signal.proximity_alert";
                check.Subject(alert.Subject, $"{p}.subject");
                check.Code(alert.CaseReference, $"{p}.case_reference", "a case reference");
                check.Code(alert.MeasureId, $"{p}.measure_id", "a measure id");
                check.RecentTime(alert.DetectedAt, $"{p}.detected_at");
                check.Enum(alert.Urgency, $"{p}.urgency", "high or immediate");
                break;
            case Signal.KindOneofCase.CaseConferenceRequested:
                var conference = signal.CaseConferenceRequested;
                const string c = "signal.case_conference_requested";
                check.Subject(conference.Subject, $"{c}.subject");
                check.Code(conference.CaseReference, $"{c}.case_reference", "a case reference");
                check.Enum(conference.Forum, $"{c}.forum", "actieoverleg or zsm");
                check.Enum(conference.Reason, $"{c}.reason", "a ConferenceReason");
                check.UpcomingDate(conference.RequestedDate, $"{c}.requested_date", daysAhead: 90);
                break;
            default:
                throw new ChainGatewayException(ReasonCode.Malformed, "the signal has no kind set", "signal");
        }
    }

    private static void ValidateMeasure(ProtectionMeasureImposed measure, SignalFieldRules check)
    {
        const string m = "signal.protection_measure_imposed";
        check.Subject(measure.Subject, $"{m}.subject");
        if (measure.ProtectedPerson is not null)
        {
            check.Subject(measure.ProtectedPerson, $"{m}.protected_person");
        }
        check.Code(measure.CaseReference, $"{m}.case_reference", "a case reference");
        check.Code(measure.MeasureId, $"{m}.measure_id", "a measure id");
        check.Enum(measure.Kind, $"{m}.kind", "contact ban, location ban, area ban or ankle monitor");
        var needsArea = measure.Kind is MeasureKind.LocationBan or MeasureKind.AreaBan;
        if (needsArea)
        {
            check.Code(measure.AreaCode, $"{m}.area_code", "an area code (required for location and area bans)");
        }
        else if (measure.AreaCode.Length > 0 && measure.Kind != MeasureKind.Unspecified)
        {
            throw new ChainGatewayException(ReasonCode.Malformed, "an area code belongs only to location and area bans", $"{m}.area_code");
        }
        check.DateUpTo(measure.ValidFrom, $"{m}.valid_from", daysAhead: 365);
        check.DateUpTo(measure.ValidTo, $"{m}.valid_to", daysAhead: 365 * 11);
        SignalFieldRules.DateOrder(measure.ValidFrom, measure.ValidTo, $"{m}.valid_to", maxYears: 10);
        check.NotEnded(measure.ValidTo, $"{m}.valid_to");
        check.Required(measure.HasSupervisionFeasible, $"{m}.supervision_feasible", "say whether supervision is feasible (true or false)");
    }

    private static void ValidateExpiring(MeasureExpiring expiring, SignalFieldRules check)
    {
        const string e = "signal.measure_expiring";
        if (!check.Wire)
        {
            // Reminders are made by the imposing node from its own measures (DESIGN: automatic signals), so that
            // every reminder a partner receives traces back to a measure that node really imposed.
            throw new ChainGatewayException(ReasonCode.Malformed,
                "MeasureExpiring is made by the node itself from the measures it imposed; it cannot be sent through the local API", e);
        }
        check.Subject(expiring.Subject, $"{e}.subject");
        check.Code(expiring.CaseReference, $"{e}.case_reference", "a case reference");
        check.Code(expiring.MeasureId, $"{e}.measure_id", "a measure id");
        check.Enum(expiring.Kind, $"{e}.kind", "contact ban, location ban, area ban or ankle monitor");
        check.DateUpTo(expiring.ExpiresOn, $"{e}.expires_on", daysAhead: 366);
        if (expiring.DaysLeft > 365)
        {
            throw new ChainGatewayException(ReasonCode.Malformed, "days left is 0 to 365", $"{e}.days_left");
        }
    }

    /// <summary>
    /// A work contact point as the local API must give it (organisation and function codes, a work phone or e-mail):
    /// the same rules for a signal's contact and for the contact a match answer carries.
    /// </summary>
    public static void ValidateContact(ContactPoint contact, string path) =>
        new SignalFieldRules(DateTimeOffset.UnixEpoch, wire: false).Contact(contact, path);

    /// <summary>Validates a reminder the node made itself before it is sealed (the local API cannot send one).</summary>
    public static void ValidateReminder(Signal signal, DateTimeOffset now) => Validate(signal, new SignalFieldRules(now, wire: true));
}
