using ChainGateway.Contracts.V1;

namespace ChainGateway.Node.Local;

/// <summary>The data-subject column of a log entry: the hex pseudonyms a signal names, never an identifier.</summary>
internal static class SubjectPseudonyms
{
    public static string? Describe(Signal? signal)
    {
        var refs = signal?.KindCase switch
        {
            Signal.KindOneofCase.StalkingReported => new[] { signal.StalkingReported.Suspect, signal.StalkingReported.Victim },
            Signal.KindOneofCase.RiskAssessed => new[] { signal.RiskAssessed.Subject },
            _ => [],
        };
        var hex = refs.Where(r => r?.IdCase == SubjectRef.IdOneofCase.Pseudonym).Select(r => Convert.ToHexStringLower(r.Pseudonym.Span)).ToArray();
        return hex.Length == 0 ? null : string.Join(',', hex);
    }
}
