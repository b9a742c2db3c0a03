using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using ChainGateway.Core.Rules;
using ChainGateway.Core.Signals;

namespace ChainGateway.Node.Federation;

/// <summary>
/// The demo federation's agreement (convenant ketenaanpak stalking) between the eight organisations of the stalking
/// chain and its five purposes (../shared/domain/STALKING-CHAIN.md). Each rule names its processing activity, legal
/// basis, allowed fields, retention and role. Development only: real agreements are drafted by the parties and
/// signed by each. <see cref="Json"/> keeps only the rules' organisations that are parties, so tests can run a
/// federation of a few of them.
/// </summary>
public static class DemoAgreement
{
    public const string FederationId = "chaingateway-demo";

    public static readonly string[] Organisations =
    [
        "politie", "veilig-thuis", "om", "reclassering", "raad-kinderbescherming", "slachtofferhulp", "cjib", "zorg-veiligheidshuis",
    ];

    public static readonly Dictionary<string, string> DisplayNames = new(StringComparer.Ordinal)
    {
        ["politie"] = "Politie",
        ["veilig-thuis"] = "Veilig Thuis",
        ["om"] = "Openbaar Ministerie",
        ["reclassering"] = "Reclassering Nederland",
        ["raad-kinderbescherming"] = "Raad voor de Kinderbescherming",
        ["slachtofferhulp"] = "Slachtofferhulp Nederland",
        ["cjib"] = "Centraal Justitieel Incassobureau",
        ["zorg-veiligheidshuis"] = "Zorg- en Veiligheidshuis",
    };

    /// <summary>The organisations that may direct a case or need to know who does.</summary>
    private static readonly string[] CaseDirection = ["politie", "veilig-thuis", "om", "reclassering", "raad-kinderbescherming", "zorg-veiligheidshuis"];

    /// <summary>The five Veiligheid Voorop partners that meet in Actieoverleg.</summary>
    private static readonly string[] VeiligheidVoorop = ["politie", "om", "reclassering", "raad-kinderbescherming", "veilig-thuis"];

    public static IReadOnlyList<SharingRule> Rules { get; } =
    [
        Rule("politie-stalking-report", "politie:stalking-report", ["politie"], ["veilig-thuis", "om"], SignalTypes.StalkingReported,
            "risk-assessment", "Wet politiegegevens art. 16 en 19", 365,
            Fields("stalking_reported", "report_kind", "reported_on", "suspect", "victim", "case_reference")),
        Rule("risk-screening-chain", "chain:sash-screening", ["politie", "veilig-thuis"], ["politie", "veilig-thuis", "om"], SignalTypes.RiskAssessed,
            "risk-assessment", "Wet politiegegevens art. 16; Wmo 2015 art. 5.2.6", 365,
            Fields("risk_assessed", "instrument", "level", "assessed_on", "trained_assessor", "subject", "case_reference")),
        Rule("risk-for-supervision", "reclassering:supervision-risk", ["politie", "veilig-thuis"], ["reclassering"], SignalTypes.RiskAssessed,
            "protection-order-enforcement", "Wet justitiële en strafvorderlijke gegevens art. 8a", 180,
            Fields("risk_assessed", "level", "subject", "case_reference"), minimumRiskLevel: "high"),
        Rule("case-direction-chain", "chain:case-direction", ["politie", "veilig-thuis", "om", "reclassering"],
            ["politie", "veilig-thuis", "om", "reclassering", "raad-kinderbescherming", "zorg-veiligheidshuis"], SignalTypes.CaseDirectorAssigned,
            "case-direction", "Wet politiegegevens art. 19; Wmo 2015 art. 5.2.6; Wjsg art. 39f", 365,
            Fields("case_director_assigned", "subject", "case_reference", "director", "from_date")),
        Rule("victim-contact-point", "chain:victim-contact", ["politie", "om"], ["politie", "om", "veilig-thuis", "slachtofferhulp", "cjib"],
            SignalTypes.VictimContactAssigned, "victim-contact", "Wetboek van Strafvordering art. 51aa-51ac; Wet politiegegevens art. 18", 365,
            Fields("victim_contact_assigned", "subject", "case_reference", "contact", "follow_up", "from_date")),
        Rule("protection-order-enforcement", "om:protection-order", ["om"], ["politie", "reclassering"], SignalTypes.ProtectionMeasureImposed,
            "protection-order-enforcement", "Wet justitiële en strafvorderlijke gegevens art. 8a en 39f; Sv art. 509hh", 365,
            Fields("protection_measure_imposed", "subject", "protected_person", "case_reference", "measure_id", "kind", "area_code",
                "valid_from", "valid_to", "supervision_feasible")),
        // CJIB informs the victim which orders are in force; it needs neither the area nor the supervision question.
        Rule("protection-order-victim-information", "cjib:victim-information", ["om"], ["cjib"], SignalTypes.ProtectionMeasureImposed,
            "victim-contact", "Wetboek van Strafvordering art. 51ac; Wjsg art. 39f", 365,
            Fields("protection_measure_imposed", "protected_person", "case_reference", "measure_id", "kind", "valid_from", "valid_to")),
        Rule("measure-not-supervisable", "reclassering:supervision-feasibility", ["reclassering"], ["om"], SignalTypes.MeasureNotSupervisable,
            "protection-order-enforcement", "Wet justitiële en strafvorderlijke gegevens art. 8a", 365,
            Fields("measure_not_supervisable", "subject", "case_reference", "measure_id", "reason")),
        Rule("measure-expiry-reminder", "om:measure-expiry", ["om"], ["om", "politie", "reclassering"], SignalTypes.MeasureExpiring,
            "protection-order-enforcement", "Wet justitiële en strafvorderlijke gegevens art. 8a; Sv art. 509hh lid 4", 90,
            Fields("measure_expiring", "subject", "case_reference", "measure_id", "kind", "expires_on", "days_left")),
        Rule("proximity-alert", "reclassering:victim-device", ["reclassering"], ["politie"], SignalTypes.ProximityAlert,
            "protection-order-enforcement", "Wet justitiële en strafvorderlijke gegevens art. 8a; Wet politiegegevens art. 3", 30,
            Fields("proximity_alert", "subject", "case_reference", "measure_id", "detected_at", "urgency")),
        Rule("case-conference-request", "chain:actieoverleg", VeiligheidVoorop, [.. VeiligheidVoorop, "zorg-veiligheidshuis"],
            SignalTypes.CaseConferenceRequested, "case-conference",
            "Wet politiegegevens art. 20 (samenwerkingsverband); Wmo 2015 art. 5.2.6; Wjsg art. 39f", 180,
            Fields("case_conference_requested", "subject", "case_reference", "forum", "reason", "requested_date")),
        // The match question (SubjectKnown): 'from' asks, 'to' answers; the allowed fields are those of the answer's
        // ContactPoint.
        Rule("subject-known-case-direction", "chain:subject-known", CaseDirection, CaseDirection, SignalTypes.SubjectKnown,
            "case-direction", "Wet politiegegevens art. 16 en 19; Wmo 2015 art. 5.2.6; Wet justitiële en strafvorderlijke gegevens art. 8a", 30,
            ["organisation", "function", "work_phone", "work_email"]),
        Rule("subject-known-risk", "chain:subject-known-risk", ["politie", "veilig-thuis"], ["politie", "veilig-thuis", "om"], SignalTypes.SubjectKnown,
            "risk-assessment", "Wet politiegegevens art. 16; Wmo 2015 art. 5.2.6", 30, ["organisation", "function"]),
        Rule("subject-known-victim-contact", "chain:subject-known-victim", ["slachtofferhulp", "cjib"], ["politie", "om"], SignalTypes.SubjectKnown,
            "victim-contact", "Wetboek van Strafvordering art. 51aa-51ac", 30, ["organisation", "function", "work_phone"]),
    ];

    /// <summary>The agreement among <paramref name="parties"/>: each rule keeps only the parties it names; rules left without sender or receiver go.</summary>
    public static string Json(IReadOnlyList<string> parties)
    {
        ArgumentNullException.ThrowIfNull(parties);
        var rules = Rules
            .Select(rule => rule with { From = [.. rule.From.Where(parties.Contains)], To = [.. rule.To.Where(parties.Contains)] })
            .Where(rule => rule.From.Count > 0 && rule.To.Count > 0)
            .ToArray();
        var agreement = new Agreement
        {
            FederationId = FederationId,
            Version = 1,
            Title = "Convenant ketenaanpak stalking (demo)",
            Parties = [.. parties],
            Rules = rules,
        };
        return JsonSerializer.Serialize(agreement, JsonOptions);
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // The file is for people too: keep 'justitiële' readable (the hash is over the canonical bytes, not the file).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static SharingRule Rule(string id, string activity, string[] from, string[] to, string signalType, string purpose, string legalBasis,
        int retentionDays, string[] allowedFields, string? minimumRiskLevel = null) => new()
        {
            Id = id,
            ProcessingActivity = "urn:chaingateway:processing:" + activity,
            From = from,
            To = to,
            SignalTypes = [signalType],
            Purpose = purpose,
            LegalBasis = legalBasis,
            AllowedFields = allowedFields,
            RetentionDays = retentionDays,
            RequiredRole = "caseworker",
            Conditions = minimumRiskLevel is null ? null : new RuleConditions { MinimumRiskLevel = minimumRiskLevel },
        };

    private static string[] Fields(string signal, params string[] names) => [.. names.Select(n => signal + "." + n)];
}
