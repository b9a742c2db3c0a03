namespace ChainGateway.Node.Local;

/// <summary>
/// A broadcast wake-up: waiters take <see cref="NextAsync"/> BEFORE they read the store, then await it, so an
/// event between their read and their wait is never missed.
/// </summary>
public class Notifier
{
    private TaskCompletionSource next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A task that completes at the next <see cref="Notify"/>.</summary>
    public Task NextAsync() => Volatile.Read(ref next).Task;

    public void Notify()
    {
        var previous = Interlocked.Exchange(ref next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }
}

/// <summary>Wakes Subscribe streams when the inbox grows.</summary>
public sealed class InboxNotifier : Notifier;

/// <summary>Wakes status waiters when a sent message was delivered or dead-lettered.</summary>
public sealed class DeliveryNotifier : Notifier;
