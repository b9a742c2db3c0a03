using System.Collections.Concurrent;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Delivery;

namespace ChainGateway.Node.Delivery;

/// <summary>
/// Wakes a partner's delivery lanes when something was queued for it, so delivery starts at once instead of at the next
/// poll, and hands them the envelopes the send pipeline has just committed, so the lanes need not read back from the
/// store what was written a moment ago (a read after a write re-reads SQLite pages: it was a third of the time between
/// a Send's commit and its envelope on the wire). The store stays the truth: whatever is not handed over (a restart,
/// a retry, a reminder, more than <see cref="HandOffLimit"/> waiting) is found by the lanes' next read of the outbox,
/// which <see cref="Notify(string)"/> requests. An urgent envelope wakes the partner's urgent lane as well as its
/// routine one (which delivers urgent envelopes itself while the partner is failing and probed).
/// </summary>
public sealed class OutboxTrigger : IDisposable
{
    /// <summary>At most this many envelopes wait in memory per partner; beyond it the lanes read them from the store.</summary>
    public const int HandOffLimit = 4096;

    private readonly ConcurrentDictionary<string, Partner> partners = new(StringComparer.Ordinal);

    /// <summary>Something was queued for <paramref name="partner"/> that only the store holds: the lanes read the outbox.</summary>
    public void Notify(string partner) => Notify(partner, Priority.Routine);

    /// <summary>Something of <paramref name="priority"/> was queued for <paramref name="partner"/> that only the store holds.</summary>
    public void Notify(string partner, Priority priority)
    {
        var lanes = For(partner);
        lanes.RequestScan();
        Wake(lanes, priority);
    }

    /// <summary>Wakes <paramref name="partner"/>'s lanes without asking for a read (they have news to look at, e.g. a retry's time).</summary>
    public void Wake(string partner, Priority priority) => Wake(For(partner), priority);

    /// <summary>
    /// <paramref name="envelope"/> was committed to the outbox a moment ago: the partner's lane takes it from here, not
    /// from the store.
    /// </summary>
    public void Committed(OutboxEnvelope envelope)
    {
        var lanes = For(envelope.Recipient);
        var priority = (Priority)envelope.Priority;
        if (Interlocked.Increment(ref lanes.Count) > HandOffLimit)
        {
            Interlocked.Decrement(ref lanes.Count);
            lanes.RequestScan();
        }
        else
        {
            // The log entry and the case fact were for the commit; the lane needs only the envelope.
            (priority == Priority.Urgent ? lanes.Urgent : lanes.Routine).Enqueue(envelope with { SentEntry = null, Fact = null });
        }
        Wake(lanes, priority);
    }

    /// <summary>Waits for a notification for <paramref name="partner"/> or the timeout, whichever comes first.</summary>
    public Task<bool> WaitAsync(string partner, TimeSpan timeout, CancellationToken cancellationToken) =>
        For(partner).Signal.WaitAsync(timeout, cancellationToken);

    /// <summary>Waits for an urgent notification for <paramref name="partner"/> or the timeout, whichever comes first.</summary>
    public Task<bool> WaitUrgentAsync(string partner, TimeSpan timeout, CancellationToken cancellationToken) =>
        For(partner).UrgentSignal.WaitAsync(timeout, cancellationToken);

    /// <summary>Takes up to <paramref name="max"/> handed-over envelopes of one lane, oldest first.</summary>
    internal List<OutboxEnvelope> TakeHandedOver(string partner, bool urgent, int max)
    {
        var lanes = For(partner);
        var queue = urgent ? lanes.Urgent : lanes.Routine;
        var taken = new List<OutboxEnvelope>(Math.Min(max, 64));
        while (taken.Count < max && queue.TryDequeue(out var item))
        {
            Interlocked.Decrement(ref lanes.Count);
            taken.Add(item);
        }
        return taken;
    }

    /// <summary>
    /// True once per lane after <see cref="Notify(string)"/>: something waits in the store that was not handed over. Each
    /// lane has its own request (the lanes read different envelopes).
    /// </summary>
    internal bool TakeScanRequest(string partner, bool urgent)
    {
        var lanes = For(partner);
        return Interlocked.Exchange(ref urgent ? ref lanes.UrgentScanRequested : ref lanes.RoutineScanRequested, 0) == 1;
    }

    /// <summary>
    /// Drops the handed-over envelopes of <paramref name="partner"/>: a lane about to read the outbox finds them there
    /// (they were committed before they were handed over), and delivering them again from memory would only repeat them.
    /// </summary>
    internal void DropHandedOver(string partner, bool urgent, bool routine)
    {
        var lanes = For(partner);
        while (urgent && lanes.Urgent.TryDequeue(out _))
        {
            Interlocked.Decrement(ref lanes.Count);
        }
        while (routine && lanes.Routine.TryDequeue(out _))
        {
            Interlocked.Decrement(ref lanes.Count);
        }
    }

    public void Dispose()
    {
        foreach (var lanes in partners.Values)
        {
            lanes.Dispose();
        }
    }

    private static void Wake(Partner lanes, Priority priority)
    {
        if (priority == Priority.Urgent)
        {
            Release(lanes.UrgentSignal);
        }
        Release(lanes.Signal);
    }

    private static void Release(SemaphoreSlim signal)
    {
        if (signal.CurrentCount > 0)
        {
            // Already signalled: one wake-up covers every queued envelope (and an exception per send would cost more than the send).
            return;
        }
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Lost the race to another notifier: signalled all the same.
        }
    }

    private Partner For(string partner) => partners.GetOrAdd(partner, _ => new Partner());

    private sealed class Partner : IDisposable
    {
        public readonly SemaphoreSlim Signal = new(0, 1);
        public readonly SemaphoreSlim UrgentSignal = new(0, 1);
        public readonly ConcurrentQueue<OutboxEnvelope> Urgent = new();
        public readonly ConcurrentQueue<OutboxEnvelope> Routine = new();
        public int Count;
        public int UrgentScanRequested;
        public int RoutineScanRequested;

        public void RequestScan()
        {
            Volatile.Write(ref UrgentScanRequested, 1);
            Volatile.Write(ref RoutineScanRequested, 1);
        }

        public void Dispose()
        {
            Signal.Dispose();
            UrgentSignal.Dispose();
        }
    }
}
