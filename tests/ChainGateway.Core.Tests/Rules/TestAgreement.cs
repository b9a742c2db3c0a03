namespace ChainGateway.Core.Tests.Rules;

internal static class TestAgreement
{
    public const string Json = """
        {
          "federationId": "test", "version": 1, "title": "test agreement",
          "parties": ["politie", "om", "reclassering"],
          "rules": [
            { "id": "report", "processingActivity": "urn:x:report", "from": ["politie"], "to": ["om"],
              "signalTypes": ["StalkingReported"], "purpose": "risk-assessment", "legalBasis": "Wpg art. 16",
              "allowedFields": ["stalking_reported.report_kind", "stalking_reported.suspect", "stalking_reported.case_reference"],
              "retentionDays": 30, "requiredRole": "caseworker" },
            { "id": "risk", "processingActivity": "urn:x:risk", "from": ["politie"], "to": ["reclassering"],
              "signalTypes": ["RiskAssessed"], "purpose": "protection-order-enforcement", "legalBasis": "Wjsg art. 8a",
              "allowedFields": ["risk_assessed.level", "risk_assessed.subject"],
              "retentionDays": 30, "requiredRole": "caseworker", "conditions": { "minimumRiskLevel": "high" } }
          ]
        }
        """;
}
