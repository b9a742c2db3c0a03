using System.Collections.Concurrent;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Delivery;

namespace ChainGateway.Node.Delivery;

/// <summary>
/// What a partner's lanes know of each other's work: which envelopes are in flight (claimed by one lane, so the other does
/// not send them too), which a read of the store took or saw finish while it ran (so a stale read claims nothing twice),
/// and when an envelope put back for a retry of its own falls due.
/// </summary>
internal sealed partial class PartnerQueue
{
    private readonly ConcurrentDictionary<Guid, byte> inFlight = new();
    private readonly ConcurrentDictionary<Guid, byte> readFromStore = new();
    private readonly ConcurrentDictionary<Guid, byte> finishedDuringRead = new();
    private readonly Lock readsLock = new();
    private int readsInProgress;
    // Per lane (routine, urgent): the earliest next attempt of an envelope put back for a retry of its own (a receipt that
    // did not verify, a failure of this node) since the lane last looked. A lane that takes what is handed over reads the
    // store only when a retry it knows of falls due, so without this such an envelope waited for a pause in the traffic.
    private readonly long[] retryDueTicks = [long.MaxValue, long.MaxValue];

    /// <summary>
    /// The envelopes of the highest priority due that the other lane is not delivering, claimed for this lane: a batch
    /// never mixes priorities, so routine envelopes never delay an urgent one further, and none starts while an urgent
    /// one is due, even one in flight in the other lane.
    /// </summary>
    private List<OutboxEnvelope> Claim(IReadOnlyList<OutboxEnvelope> due, bool skipFinished = false)
    {
        var batch = new List<OutboxEnvelope>(due.Count);
        foreach (var item in due)
        {
            if (item.Priority != due[0].Priority)
            {
                break;
            }
            if (skipFinished && finishedDuringRead.ContainsKey(item.MessageId))
            {
                // Read while still queued, delivered by another delivery since: the read was stale.
                continue;
            }
            if (inFlight.TryAdd(item.MessageId, 0))
            {
                batch.Add(item);
            }
        }
        return batch;
    }

    /// <summary>
    /// A read of the outbox starts. Until it has claimed what it read, every envelope whose delivery ends (delivered or
    /// dead-lettered) is remembered, so that the read does not claim it again: a read can return an envelope still
    /// queued whose delivery, running beside it in a slot, commits and lets go of it before the read claims it.
    /// </summary>
    private void BeginRead()
    {
        lock (readsLock)
        {
            Interlocked.Increment(ref readsInProgress);
        }
    }

    private void EndRead()
    {
        lock (readsLock)
        {
            if (Interlocked.Decrement(ref readsInProgress) == 0)
            {
                finishedDuringRead.Clear();
            }
        }
    }

    /// <summary>The outcome of <paramref name="messageId"/> is committed (called before it is let go of in <c>inFlight</c>).</summary>
    private void Finished(Guid messageId)
    {
        if (Volatile.Read(ref readsInProgress) == 0)
        {
            return;
        }
        lock (readsLock)
        {
            if (readsInProgress > 0)
            {
                finishedDuringRead.TryAdd(messageId, 0);
            }
        }
    }

    /// <summary>
    /// Handed-over envelopes that a read of the store has already taken (committed and handed over between the lane's
    /// drop of its hand-overs and its read): delivering them again would only repeat them, so they are skipped.
    /// </summary>
    private List<OutboxEnvelope> SkipRead(List<OutboxEnvelope> handedOver)
    {
        if (readFromStore.IsEmpty)
        {
            return handedOver;
        }
        handedOver.RemoveAll(item => readFromStore.TryRemove(item.MessageId, out _));
        if (readFromStore.Count > OutboxTrigger.HandOffLimit)
        {
            // Envelopes read from the store that were never handed over (queued before a restart, retried): forget them.
            readFromStore.Clear();
        }
        return handedOver;
    }

    /// <summary>Tells <paramref name="item"/>'s lane that it is due again at <paramref name="at"/> (the lane reads it from the store then).</summary>
    private void RetryDue(OutboxEnvelope item, DateTimeOffset at)
    {
        ref var slot = ref retryDueTicks[item.Priority == (int)Priority.Urgent ? 1 : 0];
        long seen;
        do
        {
            seen = Volatile.Read(ref slot);
            if (seen <= at.UtcTicks)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref slot, at.UtcTicks, seen) != seen);
        // The lane may be waiting out an idle poll: it looks again and waits for this retry instead.
        trigger.Wake(partner, (Priority)item.Priority);
    }

    private DateTimeOffset? TakeRetryDue(bool urgentLane)
    {
        var ticks = Interlocked.Exchange(ref retryDueTicks[urgentLane ? 1 : 0], long.MaxValue);
        return ticks == long.MaxValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;
}
