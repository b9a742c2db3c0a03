using System.Collections.Frozen;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;

namespace ChainGateway.Core.Rules;

/// <summary>
/// Default deny (DESIGN.md §5): an exchange is allowed only when a rule names its sender, recipient, signal type and
/// purpose, the user holds the rule's role (sender side), and the signal meets the rule's conditions. Lookups are
/// one dictionary read.
/// </summary>
public sealed class RuleEvaluator
{
    private readonly FrozenDictionary<(string From, string To, string SignalType, string Purpose), SharingRule[]> rules;

    public RuleEvaluator(Agreement agreement)
    {
        ArgumentNullException.ThrowIfNull(agreement);
        rules = agreement.Rules
            .SelectMany(rule => from f in rule.From from t in rule.To from s in rule.SignalTypes select (Key: (f, t, s, rule.Purpose), Rule: rule))
            .GroupBy(x => x.Key)
            .ToFrozenDictionary(g => g.Key, g => g.Select(x => x.Rule).ToArray());
    }

    /// <summary>
    /// Evaluates one exchange. <paramref name="userRoles"/> is null on the receiving side (no local user there);
    /// <paramref name="signal"/> is needed for conditions. The receiver passes the <paramref name="ruleId"/> the sender
    /// named: two rules may cover the same exchange (for different roles, say), and the receiver must check the one the
    /// sender used, not the first that matches.
    /// </summary>
    public RuleDecision Evaluate(string from, string to, string signalType, string purpose, IReadOnlyCollection<string>? userRoles, Signal? signal,
        string? ruleId = null)
    {
        if (!rules.TryGetValue((from, to, signalType, purpose), out var candidates))
        {
            return RuleDecision.Deny(ReasonCode.RuleDenied,
                $"no rule of the agreement allows {from} to share {signalType} with {to} for '{purpose}'");
        }
        if (ruleId is not null)
        {
            var named = Array.Find(candidates, r => r.Id == ruleId);
            if (named is null)
            {
                return RuleDecision.Deny(ReasonCode.RuleDenied,
                    $"the sender names rule '{ruleId}', but no rule of that id in this node's agreement allows {from} to share {signalType} with {to} for '{purpose}'");
            }
            candidates = [named];
        }
        RuleDecision? refusal = null;
        foreach (var rule in candidates)
        {
            if (userRoles is not null && !userRoles.Contains(rule.RequiredRole))
            {
                refusal ??= RuleDecision.Deny(ReasonCode.RoleRequired, $"rule '{rule.Id}' requires the role '{rule.RequiredRole}'", rule);
                continue;
            }
            var unmet = UnmetCondition(rule, signal);
            if (unmet is not null)
            {
                refusal = RuleDecision.Deny(ReasonCode.RuleDenied, unmet, rule);
                continue;
            }
            return RuleDecision.Allow(rule);
        }
        return refusal!;
    }

    private static string? UnmetCondition(SharingRule rule, Signal? signal)
    {
        if (rule.Conditions?.MinimumRiskLevel is not { } minimum)
        {
            return null;
        }
        var level = signal?.KindCase == Signal.KindOneofCase.RiskAssessed ? signal.RiskAssessed.Level : RiskLevel.Unspecified;
        return level >= RiskLevels.Parse(minimum)
            ? null
            : $"rule '{rule.Id}' allows this only at risk level {minimum} or above";
    }
}
