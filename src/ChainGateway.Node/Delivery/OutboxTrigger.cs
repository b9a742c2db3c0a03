using System.Collections.Concurrent;

namespace ChainGateway.Node.Delivery;

/// <summary>Wakes a partner's delivery loop when something was queued for it, so delivery starts at once instead of at the next poll.</summary>
public sealed class OutboxTrigger : IDisposable
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> signals = new(StringComparer.Ordinal);

    public void Notify(string partner)
    {
        var signal = For(partner);
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

    /// <summary>Waits for a notification for <paramref name="partner"/> or the timeout, whichever comes first.</summary>
    public Task<bool> WaitAsync(string partner, TimeSpan timeout, CancellationToken cancellationToken) =>
        For(partner).WaitAsync(timeout, cancellationToken);

    public void Dispose()
    {
        foreach (var signal in signals.Values)
        {
            signal.Dispose();
        }
    }

    private SemaphoreSlim For(string partner) => signals.GetOrAdd(partner, _ => new SemaphoreSlim(0, 1));
}
