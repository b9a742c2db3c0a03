namespace ChainGateway.Node.Federation;

/// <summary>
/// The demo federation's agreement (convenant) between police, Veilig Thuis, OM and probation for the
/// stalking chain (../shared/domain/STALKING-CHAIN.md). Development only: real agreements are drafted by the
/// parties and signed by each.
/// </summary>
public static class DemoAgreement
{
    public const string FederationId = "chaingateway-demo";

    public static readonly string[] Organisations = ["politie", "veilig-thuis", "om", "reclassering"];

    public static readonly Dictionary<string, string> DisplayNames = new(StringComparer.Ordinal)
    {
        ["politie"] = "Politie",
        ["veilig-thuis"] = "Veilig Thuis",
        ["om"] = "Openbaar Ministerie",
        ["reclassering"] = "Reclassering Nederland",
    };

    public static string Json(IReadOnlyList<string> parties) => $$"""
        {
          "federationId": "{{FederationId}}",
          "version": 1,
          "title": "Convenant ketenaanpak stalking (demo)",
          "parties": [{{string.Join(", ", parties.Select(p => $"\"{p}\""))}}],
          "rules": [
            {
              "id": "politie-stalking-report",
              "processingActivity": "urn:chaingateway:processing:politie:stalking-report",
              "from": ["politie"],
              "to": ["veilig-thuis", "om"],
              "signalTypes": ["StalkingReported"],
              "purpose": "risk-assessment",
              "legalBasis": "Wet politiegegevens art. 16 en 19",
              "allowedFields": ["stalking_reported.report_kind", "stalking_reported.reported_on", "stalking_reported.suspect",
                                "stalking_reported.victim", "stalking_reported.case_reference"],
              "retentionDays": 365,
              "requiredRole": "caseworker"
            },
            {
              "id": "risk-screening-chain",
              "processingActivity": "urn:chaingateway:processing:chain:sash-screening",
              "from": ["politie", "veilig-thuis"],
              "to": ["politie", "veilig-thuis", "om"],
              "signalTypes": ["RiskAssessed"],
              "purpose": "risk-assessment",
              "legalBasis": "Wet politiegegevens art. 16; Wmo 2015 art. 5.2.6",
              "allowedFields": ["risk_assessed.instrument", "risk_assessed.level", "risk_assessed.assessed_on",
                                "risk_assessed.trained_assessor", "risk_assessed.subject", "risk_assessed.case_reference"],
              "retentionDays": 365,
              "requiredRole": "caseworker"
            },
            {
              "id": "risk-for-supervision",
              "processingActivity": "urn:chaingateway:processing:reclassering:supervision-risk",
              "from": ["politie", "veilig-thuis"],
              "to": ["reclassering"],
              "signalTypes": ["RiskAssessed"],
              "purpose": "protection-order-enforcement",
              "legalBasis": "Wet justitiële en strafvorderlijke gegevens art. 8a",
              "allowedFields": ["risk_assessed.level", "risk_assessed.subject", "risk_assessed.case_reference"],
              "retentionDays": 180,
              "requiredRole": "caseworker",
              "conditions": { "minimumRiskLevel": "high" }
            },
            {
              "id": "subject-known-case-direction",
              "processingActivity": "urn:chaingateway:processing:chain:subject-known",
              "from": ["politie", "veilig-thuis", "om", "reclassering"],
              "to": ["politie", "veilig-thuis", "om", "reclassering"],
              "signalTypes": ["SubjectKnown"],
              "purpose": "case-direction",
              "legalBasis": "Wet politiegegevens art. 16 en 19; Wmo 2015 art. 5.2.6; Wet justitiële en strafvorderlijke gegevens art. 8a",
              "allowedFields": ["organisation", "function", "phone", "email"],
              "retentionDays": 30,
              "requiredRole": "caseworker"
            },
            {
              "id": "subject-known-risk",
              "processingActivity": "urn:chaingateway:processing:chain:subject-known-risk",
              "from": ["politie", "veilig-thuis"],
              "to": ["politie", "veilig-thuis", "om"],
              "signalTypes": ["SubjectKnown"],
              "purpose": "risk-assessment",
              "legalBasis": "Wet politiegegevens art. 16; Wmo 2015 art. 5.2.6",
              "allowedFields": ["organisation", "function"],
              "retentionDays": 30,
              "requiredRole": "caseworker"
            }
          ]
        }
        """;
}
