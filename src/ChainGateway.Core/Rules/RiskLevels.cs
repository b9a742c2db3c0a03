using ChainGateway.Contracts.V1;

namespace ChainGateway.Core.Rules;

/// <summary>The agreement's names for risk levels ("low", "medium", "high", "acute").</summary>
public static class RiskLevels
{
    public static RiskLevel? Parse(string name) => name switch
    {
        "low" => RiskLevel.Low,
        "medium" => RiskLevel.Medium,
        "high" => RiskLevel.High,
        "acute" => RiskLevel.Acute,
        _ => null,
    };
}
