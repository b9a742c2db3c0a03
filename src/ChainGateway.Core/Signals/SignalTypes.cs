using System.Collections.Frozen;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;

namespace ChainGateway.Core.Signals;

/// <summary>The signal catalogue's type names: one place, used by the agreement, the header and the log.</summary>
public static class SignalTypes
{
    public const string StalkingReported = nameof(StalkingReported);
    public const string RiskAssessed = nameof(RiskAssessed);

    /// <summary>
    /// Not a signal but the match question (DESIGN.md §6): rules for it name who may ask whom, for which purpose,
    /// and which fields of chaingateway.v1.ContactPoint the answer may carry.
    /// </summary>
    public const string SubjectKnown = nameof(SubjectKnown);

    public static FrozenSet<string> Known { get; } = new[] { StalkingReported, RiskAssessed, SubjectKnown }.ToFrozenSet(StringComparer.Ordinal);

    public static string Of(Signal signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        return signal.KindCase switch
        {
            Signal.KindOneofCase.StalkingReported => StalkingReported,
            Signal.KindOneofCase.RiskAssessed => RiskAssessed,
            _ => throw new ChainGatewayException(ReasonCode.Malformed, "the signal has no kind set", "signal"),
        };
    }
}
