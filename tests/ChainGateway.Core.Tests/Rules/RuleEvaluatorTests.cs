using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Rules;

namespace ChainGateway.Core.Tests.Rules;

public sealed class RuleEvaluatorTests
{
    private static readonly RuleEvaluator Rules = new(Agreement.Parse(TestAgreement.Json));
    private static readonly string[] Caseworker = ["caseworker"];

    private static Signal Risk(RiskLevel level) => new() { RiskAssessed = new RiskAssessed { Level = level } };

    [Fact]
    public void MatchingRuleAndRole_IsAllowed()
    {
        var decision = Rules.Evaluate("politie", "om", "StalkingReported", "risk-assessment", Caseworker, null);
        Assert.True(decision.Allowed);
        Assert.Equal("report", decision.Rule!.Id);
    }

    [Theory]
    [InlineData("om", "politie", "StalkingReported", "risk-assessment")] // wrong direction
    [InlineData("politie", "om", "RiskAssessed", "risk-assessment")] // wrong signal
    [InlineData("politie", "om", "StalkingReported", "case-direction")] // wrong purpose
    [InlineData("politie", "reclassering", "StalkingReported", "risk-assessment")] // wrong recipient
    public void AnythingNotNamedByARule_IsDenied(string from, string to, string signal, string purpose)
    {
        var decision = Rules.Evaluate(from, to, signal, purpose, Caseworker, null);
        Assert.False(decision.Allowed);
        Assert.Equal(ReasonCode.RuleDenied, decision.Reason);
    }

    [Fact]
    public void TheReceiver_ChecksTheRuleTheSenderNamed_NotTheFirstThatMatches()
    {
        // Two rules for one exchange, for two roles: a receiver (no user roles) must check the one the sender used.
        var json = TestAgreement.Json.Replace("""
            { "id": "risk",
            """, """
            { "id": "report-by-supervisor", "processingActivity": "urn:x:report", "from": ["politie"], "to": ["om"],
              "signalTypes": ["StalkingReported"], "purpose": "risk-assessment", "legalBasis": "Wpg art. 16",
              "allowedFields": ["stalking_reported.report_kind"], "retentionDays": 30, "requiredRole": "supervisor" },
            { "id": "risk",
            """, StringComparison.Ordinal);
        var rules = new RuleEvaluator(Agreement.Parse(json));
        Assert.Equal("report-by-supervisor", rules.Evaluate("politie", "om", "StalkingReported", "risk-assessment", null, null, "report-by-supervisor").Rule!.Id);
        Assert.Equal("report", rules.Evaluate("politie", "om", "StalkingReported", "risk-assessment", null, null, "report").Rule!.Id);
        var unknown = rules.Evaluate("politie", "om", "StalkingReported", "risk-assessment", null, null, "risk");
        Assert.False(unknown.Allowed);
        Assert.Equal(ReasonCode.RuleDenied, unknown.Reason);
        Assert.Contains("names rule 'risk'", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UserWithoutTheRulesRole_IsRoleRequired()
    {
        var decision = Rules.Evaluate("politie", "om", "StalkingReported", "risk-assessment", ["privacy-officer"], null);
        Assert.Equal(ReasonCode.RoleRequired, decision.Reason);
    }

    [Fact]
    public void ReceiverSide_NeedsNoRole() =>
        Assert.True(Rules.Evaluate("politie", "om", "StalkingReported", "risk-assessment", null, null).Allowed);

    [Theory]
    [InlineData(RiskLevel.Low, false)]
    [InlineData(RiskLevel.Medium, false)]
    [InlineData(RiskLevel.High, true)]
    [InlineData(RiskLevel.Acute, true)]
    public void MinimumRiskLevelCondition_IsEnforced(RiskLevel level, bool allowed) =>
        Assert.Equal(allowed, Rules.Evaluate("politie", "reclassering", "RiskAssessed", "protection-order-enforcement", Caseworker, Risk(level)).Allowed);
}
