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
