using ChainGateway.Core.Errors;

namespace ChainGateway.Core.Rules;

/// <summary>The outcome of evaluating the agreement for one exchange: allowed under a rule, or refused with a reason.</summary>
public sealed record RuleDecision(bool Allowed, SharingRule? Rule, ReasonCode? Reason, string Message)
{
    public static RuleDecision Allow(SharingRule rule) => new(true, rule, null, $"allowed by rule '{rule.Id}'");

    public static RuleDecision Deny(ReasonCode reason, string message, SharingRule? rule = null) => new(false, rule, reason, message);
}
