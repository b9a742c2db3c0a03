namespace ChainGateway.Node.Delivery;

/// <summary>Wakes the outbox worker when something was queued, so delivery starts at once instead of at the next poll.</summary>
public sealed class OutboxTrigger : IDisposable
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Notify()
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up covers every queued envelope.
        }
    }

    public void Dispose() => signal.Dispose();

    /// <summary>Waits for a notification or the timeout, whichever comes first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        signal.WaitAsync(timeout, cancellationToken);
}
