using System.Collections.Concurrent;

namespace ChainGateway.Node.Delivery;

/// <summary>Wakes a partner's delivery loop when something was queued for it, so delivery starts at once instead of at the next poll.</summary>
public sealed class OutboxTrigger : IDisposable
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> signals = new(StringComparer.Ordinal);

    public void Notify(string partner)
    {
        try
        {
            For(partner).Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up covers every queued envelope.
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
