using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using ChainGateway.Core.Errors;
using ChainGateway.Node.Configuration;
using ChainGateway.Node.Hosting;

namespace ChainGateway.Node.Match;

/// <summary>
/// The match service's rate limits (DESIGN.md §6: otherwise an enumeration oracle): per local user and per partner
/// asked on the asking side, per asking partner on the answering side. Over the limit is RATE_LIMITED with
/// <c>retryAfterMs</c> in the ErrorInfo metadata. The answering side takes the partner's token before it reads the
/// query, so a refused question costs one as an answered one does.
/// </summary>
internal sealed class MatchRateLimits(NodeContext node)
{
    private readonly TokenBuckets users = new(node.Time, Settings(node).PerUserPerMinute, Settings(node).PerUserBurst);
    private readonly TokenBuckets asked = new(node.Time, Settings(node).PerPartnerPerMinute, Settings(node).PerPartnerBurst);
    private readonly TokenBuckets askers = new(node.Time, Settings(node).PerPartnerPerMinute, Settings(node).PerPartnerBurst);

    public void TakeUser(string user) => Take(users, user, "user", user);

    public void TakeAsked(string partner) => Take(asked, partner, "partner", partner);

    /// <summary>
    /// Takes a token of an asking partner's: true, or false with the RATE_LIMITED refusal and whether the partner was
    /// refused already since it last had a token (the answerer logs a run of refusals once, not each of them).
    /// </summary>
    public bool TryTakeAsker(string partner, [NotNullWhen(false)] out ChainGatewayException? refusal, out bool refusedBefore)
    {
        if (askers.TryTake(partner, out var retryAfter, out refusedBefore))
        {
            refusal = null;
            return true;
        }
        refusal = Limited(retryAfter, "partner", partner);
        return false;
    }

    private static void Take(TokenBuckets buckets, string key, string kind, string who)
    {
        if (!buckets.TryTake(key, out var retryAfter))
        {
            throw Limited(retryAfter, kind, who);
        }
    }

    private static ChainGatewayException Limited(TimeSpan retryAfter, string kind, string who)
    {
        var milliseconds = (long)Math.Ceiling(retryAfter.TotalMilliseconds);
        return new ChainGatewayException(ReasonCode.RateLimited, $"too many match questions for {kind} '{who}'; retry after {milliseconds} ms",
            metadata: new Dictionary<string, string>
            {
                ["retryAfterMs"] = milliseconds.ToString(CultureInfo.InvariantCulture),
                [kind] = who,
            });
    }

    private static MatchSettings Settings(NodeContext node) => node.Configuration.Match;
}
