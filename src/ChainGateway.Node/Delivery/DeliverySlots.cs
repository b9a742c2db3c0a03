namespace ChainGateway.Node.Delivery;

/// <summary>One delivery lane's deliveries of handed-over envelopes, each in a slot of its own (at most maxInFlight).</summary>
internal sealed class DeliverySlots(int slots) : IDisposable
{
    private readonly SemaphoreSlim free = new(slots, slots);

    public int Free => free.CurrentCount;

    public async Task WaitForSlotAsync(CancellationToken cancellationToken)
    {
        await free.WaitAsync(cancellationToken).ConfigureAwait(false);
        free.Release();
    }

    /// <summary>Starts <paramref name="delivery"/> in a free slot (the caller saw one free; only the lane takes them).</summary>
    public void Start(Func<Task> delivery)
    {
        if (!free.Wait(0))
        {
            throw new InvalidOperationException("no free delivery slot");
        }
        _ = RunAsync(delivery);
    }

    /// <summary>Waits until every delivery started has ended (the lane has stopped: nothing takes a slot any more).</summary>
    public async Task DrainAsync()
    {
        for (var i = 0; i < slots; i++)
        {
            await free.WaitAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => free.Dispose();

    private async Task RunAsync(Func<Task> delivery)
    {
        try
        {
            await delivery().ConfigureAwait(false);
        }
        finally
        {
            free.Release();
        }
    }
}
