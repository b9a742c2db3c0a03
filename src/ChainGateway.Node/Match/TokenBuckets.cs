using System.Collections.Concurrent;

namespace ChainGateway.Node.Match;

/// <summary>
/// Token buckets keyed by partner or user, on <see cref="TimeProvider"/> (tests use FakeTimeProvider): each key holds
/// at most <c>burst</c> tokens, refilled at <c>perMinute</c>/60 a second; a call takes one token or learns how long
/// until one is there, and whether the key was refused before since it last had one.
/// </summary>
internal sealed class TokenBuckets(TimeProvider time, double perMinute, int burst)
{
    private readonly ConcurrentDictionary<string, Bucket> buckets = new(StringComparer.Ordinal);
    private readonly double perSecond = perMinute / 60;

    /// <summary>True when a token was taken; otherwise false and how long until the next token.</summary>
    public bool TryTake(string key, out TimeSpan retryAfter) => TryTake(key, out retryAfter, out _);

    /// <summary>
    /// True when a token was taken; otherwise false, how long until the next token, and whether the key was refused already
    /// since it last had a token (<paramref name="refusedBefore"/>): a run of refusals is told apart from its first.
    /// </summary>
    public bool TryTake(string key, out TimeSpan retryAfter, out bool refusedBefore)
    {
        var now = time.GetTimestamp();
        // The factory's argument overload: no closure allocated per call on the match hot path.
        var bucket = buckets.GetOrAdd(key, static (_, state) => new Bucket { Tokens = state.Burst, At = state.Now }, (Burst: burst, Now: now));
        lock (bucket)
        {
            var elapsed = time.GetElapsedTime(bucket.At, now).TotalSeconds;
            bucket.Tokens = Math.Min(burst, bucket.Tokens + (elapsed * perSecond));
            bucket.At = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                bucket.Refused = false;
                retryAfter = TimeSpan.Zero;
                refusedBefore = false;
                return true;
            }
            retryAfter = TimeSpan.FromSeconds((1 - bucket.Tokens) / perSecond);
            refusedBefore = bucket.Refused;
            bucket.Refused = true;
            return false;
        }
    }

    private sealed class Bucket
    {
        public double Tokens { get; set; }

        public long At { get; set; }

        /// <summary>Refused since a token was last taken.</summary>
        public bool Refused { get; set; }
    }
}
