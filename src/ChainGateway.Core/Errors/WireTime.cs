using Google.Protobuf.WellKnownTypes;

namespace ChainGateway.Core.Errors;

/// <summary>
/// A protobuf timestamp from another node, as a moment: present and within what a Timestamp may hold (0001-01-01 to
/// 9999-12-31, nanos below a second). Anything else is MALFORMED with its field; converted unchecked it would throw an
/// exception that is no refusal (answered UNAVAILABLE, so the sender would retry it until it expired).
/// </summary>
public static class WireTime
{
    private const long MinSeconds = -62_135_596_800;
    private const long MaxSeconds = 253_402_300_799;

    public static DateTimeOffset Require(Timestamp? time, string field)
    {
        if (time is null)
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, $"{field} is required", field);
        }
        if (!TryGet(time, out var moment))
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, $"{field} is not a valid time", field);
        }
        return moment;
    }

    /// <summary>The moment, when <paramref name="time"/> is present and within range; for a check that refuses nothing itself.</summary>
    public static bool TryGet(Timestamp? time, out DateTimeOffset moment)
    {
        moment = default;
        if (time is null || time.Seconds is < MinSeconds or > MaxSeconds || time.Nanos is < 0 or > 999_999_999)
        {
            return false;
        }
        moment = time.ToDateTimeOffset();
        return true;
    }
}
