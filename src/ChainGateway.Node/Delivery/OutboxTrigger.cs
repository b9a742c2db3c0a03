using System.Collections.Concurrent;
using ChainGateway.Contracts.V1;

namespace ChainGateway.Node.Delivery;

/// <summary>
/// Wakes a partner's delivery lanes when something was queued for it, so delivery starts at once instead of at the next
/// poll. An urgent envelope wakes the partner's urgent lane as well as its routine one (which delivers urgent envelopes
/// itself while the partner is failing and probed).
/// </summary>
public sealed class OutboxTrigger : IDisposable
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> signals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> urgentSignals = new(StringComparer.Ordinal);

    public void Notify(string partner) => Release(For(signals, partner));

    /// <summary>Something of <paramref name="priority"/> was queued for <paramref name="partner"/>.</summary>
    public void Notify(string partner, Priority priority)
    {
        if (priority == Priority.Urgent)
        {
            Release(For(urgentSignals, partner));
        }
        Release(For(signals, partner));
    }

    /// <summary>Waits for a notification for <paramref name="partner"/> or the timeout, whichever comes first.</summary>
    public Task<bool> WaitAsync(string partner, TimeSpan timeout, CancellationToken cancellationToken) =>
        For(signals, partner).WaitAsync(timeout, cancellationToken);

    /// <summary>Waits for an urgent notification for <paramref name="partner"/> or the timeout, whichever comes first.</summary>
    public Task<bool> WaitUrgentAsync(string partner, TimeSpan timeout, CancellationToken cancellationToken) =>
        For(urgentSignals, partner).WaitAsync(timeout, cancellationToken);

    public void Dispose()
    {
        foreach (var signal in signals.Values.Concat(urgentSignals.Values))
        {
            signal.Dispose();
        }
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

    private static SemaphoreSlim For(ConcurrentDictionary<string, SemaphoreSlim> lane, string partner) =>
        lane.GetOrAdd(partner, _ => new SemaphoreSlim(0, 1));
}
