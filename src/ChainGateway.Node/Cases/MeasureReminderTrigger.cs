namespace ChainGateway.Node.Cases;

/// <summary>Wakes the reminder worker when new reminders were scheduled (one may be due at once).</summary>
public sealed class MeasureReminderTrigger : IDisposable
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
            // Already signalled: the worker will look once, which covers both.
        }
    }

    public Task WaitAsync(CancellationToken cancellationToken) => signal.WaitAsync(cancellationToken);

    public void Dispose() => signal.Dispose();
}
