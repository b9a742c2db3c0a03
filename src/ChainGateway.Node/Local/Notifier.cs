using ChainGateway.Core.Delivery;

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

/// <summary>
/// Wakes the status waiters of one sent message when it is delivered or dead-lettered; waiters of other messages
/// sleep on, so thousands of waiters cost nothing per delivery. The wake-up carries the message's new state when the
/// notifier knows it (it has just committed it), so the waiters need not read it back.
/// </summary>
public sealed class DeliveryNotifier
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, TaskCompletionSource<OutboxStatus?>> waiters = new();

    /// <summary>
    /// A task that completes at the next <see cref="Notify"/> for <paramref name="messageId"/>, with the new state or null
    /// (read it); take it BEFORE reading the state.
    /// </summary>
    public Task<OutboxStatus?> NextAsync(Guid messageId) =>
        waiters.GetOrAdd(messageId, _ => new TaskCompletionSource<OutboxStatus?>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <param name="status">The state just committed, or null when the waiters should read it.</param>
    public void Notify(Guid messageId, OutboxStatus? status)
    {
        if (waiters.TryRemove(messageId, out var waiter))
        {
            waiter.TrySetResult(status);
        }
    }

    /// <summary>Drops a waiter nobody waits on any more (the caller gave up).</summary>
    public void Forget(Guid messageId, Task task)
    {
        if (waiters.TryGetValue(messageId, out var waiter) && waiter.Task == task && task.IsCompleted is false)
        {
            waiters.TryRemove(KeyValuePair.Create(messageId, waiter));
        }
    }
}
