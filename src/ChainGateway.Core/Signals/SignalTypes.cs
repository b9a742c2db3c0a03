using System.Collections.Frozen;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;

namespace ChainGateway.Core.Signals;

/// <summary>
/// The signal catalogue's type names (../shared/domain/STALKING-CHAIN.md): one place, used by the agreement, the
/// header and the log. A type name is the protobuf message name of the Signal oneof case.
/// </summary>
public static class SignalTypes
{
    public const string StalkingReported = nameof(StalkingReported);
    public const string RiskAssessed = nameof(RiskAssessed);
    public const string CaseDirectorAssigned = nameof(CaseDirectorAssigned);
    public const string VictimContactAssigned = nameof(VictimContactAssigned);
    public const string ProtectionMeasureImposed = nameof(ProtectionMeasureImposed);
    public const string MeasureNotSupervisable = nameof(MeasureNotSupervisable);
    public const string MeasureExpiring = nameof(MeasureExpiring);
    public const string ProximityAlert = nameof(ProximityAlert);
    public const string CaseConferenceRequested = nameof(CaseConferenceRequested);

    /// <summary>
    /// Not a signal but the match question (DESIGN.md §6): rules for it name who may ask whom, for which purpose,
    /// and which fields of chaingateway.v1.ContactPoint the answer may carry.
    /// </summary>
    public const string SubjectKnown = nameof(SubjectKnown);


    private static readonly FrozenDictionary<Signal.KindOneofCase, string> Names = new Dictionary<Signal.KindOneofCase, string>
    {
        [Signal.KindOneofCase.StalkingReported] = StalkingReported,
        [Signal.KindOneofCase.RiskAssessed] = RiskAssessed,
        [Signal.KindOneofCase.CaseDirectorAssigned] = CaseDirectorAssigned,
        [Signal.KindOneofCase.VictimContactAssigned] = VictimContactAssigned,
        [Signal.KindOneofCase.ProtectionMeasureImposed] = ProtectionMeasureImposed,
        [Signal.KindOneofCase.MeasureNotSupervisable] = MeasureNotSupervisable,
        [Signal.KindOneofCase.MeasureExpiring] = MeasureExpiring,
        [Signal.KindOneofCase.ProximityAlert] = ProximityAlert,
        [Signal.KindOneofCase.CaseConferenceRequested] = CaseConferenceRequested,
    }.ToFrozenDictionary();

    /// <summary>Every type name an agreement rule may name: the signals, and the match question.</summary>
    public static FrozenSet<string> Known { get; } = Names.Values.Append(SubjectKnown).ToFrozenSet(StringComparer.Ordinal);

    public static string Of(Signal signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        return Names.TryGetValue(signal.KindCase, out var name)
            ? name
            : throw new ChainGatewayException(ReasonCode.Malformed, "the signal has no kind set", "signal");
    }
}
