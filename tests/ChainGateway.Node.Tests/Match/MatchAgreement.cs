namespace ChainGateway.Node.Tests.Match;

/// <summary>
/// The match tests' own agreement, so they do not depend on the demo's rules: politie may ask om (organisation,
/// function, phone — no e-mail) and veilig-thuis (every contact field) for case-direction; nobody may ask politie;
/// politie may send StalkingReported to om.
/// </summary>
public static class MatchAgreement
{
    public static readonly string[] Organisations = ["politie", "om", "veilig-thuis"];

    public const string Json = """
        {
          "federationId": "chaingateway-demo",
          "version": 1,
          "title": "Match test agreement",
          "parties": ["politie", "om", "veilig-thuis"],
          "rules": [
            {
              "id": "politie-asks-om",
              "processingActivity": "urn:chaingateway:processing:test:subject-known-om",
              "from": ["politie"],
              "to": ["om"],
              "signalTypes": ["SubjectKnown"],
              "purpose": "case-direction",
              "legalBasis": "test",
              "allowedFields": ["organisation", "function", "work_phone"],
              "retentionDays": 30,
              "requiredRole": "caseworker"
            },
            {
              "id": "politie-asks-veilig-thuis",
              "processingActivity": "urn:chaingateway:processing:test:subject-known-vt",
              "from": ["politie"],
              "to": ["veilig-thuis"],
              "signalTypes": ["SubjectKnown"],
              "purpose": "case-direction",
              "legalBasis": "test",
              "allowedFields": ["organisation", "function", "work_phone", "work_email"],
              "retentionDays": 30,
              "requiredRole": "caseworker"
            },
            {
              "id": "politie-stalking-report",
              "processingActivity": "urn:chaingateway:processing:test:stalking-report",
              "from": ["politie"],
              "to": ["om"],
              "signalTypes": ["StalkingReported"],
              "purpose": "risk-assessment",
              "legalBasis": "test",
              "allowedFields": ["stalking_reported.report_kind", "stalking_reported.reported_on", "stalking_reported.suspect",
                                "stalking_reported.victim", "stalking_reported.case_reference"],
              "retentionDays": 365,
              "requiredRole": "caseworker"
            }
          ]
        }
        """;
}
