using ChainGateway.Contracts.V1;

namespace ChainGateway.Core.Cases;

/// <summary>
/// Quality concerns a receiver is told about without refusing the signal. SASH: only trained staff should fill it
/// in (../shared/domain/STALKING-CHAIN.md, gap 3); a high or acute level by an untrained assessor is accepted — the
/// risk is real — but flagged. Absent fields (not shared by the rule) raise no flag.
/// </summary>
public static class SignalQuality
{
    public static IReadOnlyList<QualityFlag> Flags(Signal? signal)
    {
        if (signal?.KindCase == Signal.KindOneofCase.RiskAssessed
            && signal.RiskAssessed is { HasTrainedAssessor: true, TrainedAssessor: false, Level: RiskLevel.High or RiskLevel.Acute })
        {
            return [QualityFlag.UntrainedAssessor];
        }
        return [];
    }
}
