using System.Threading.Channels;
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
/// notifier knows it (it has just committed it), so the waiters need not read it back. Watchers
/// (<see cref="Watch"/>) get every outcome.
/// </summary>
public sealed class DeliveryNotifier(int watchBuffer = DeliveryNotifier.DefaultWatchBuffer)
{
    /// <summary>Outcomes a watcher may fall behind before it is ended (local.proto, WatchDeliveries).</summary>
    public const int DefaultWatchBuffer = 65_536;

    private readonly Dictionary<Guid, Waiter> waiters = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Channel<OutboxStatus>, byte> watchers = new();

    /// <summary>
    /// Every outcome from now on, in the order they are committed, until the watch is disposed. A watcher that falls
    /// <c>watchBuffer</c> outcomes behind is ended with a <see cref="WatcherTooSlowException"/>: nothing is dropped silently.
    /// </summary>
    public DeliveryWatch Watch()
    {
        var channel = Channel.CreateBounded<OutboxStatus>(new BoundedChannelOptions(watchBuffer)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        watchers.TryAdd(channel, 0);
        return new DeliveryWatch(channel.Reader, () => watchers.TryRemove(channel, out _));
    }

    /// <summary>
    /// A task that completes at the next <see cref="Notify"/> for <paramref name="messageId"/>, with the new state or null
    /// (read it); take it BEFORE reading the state.
    /// </summary>
    public Task<OutboxStatus?> NextAsync(Guid messageId)
    {
        lock (waiters)
        {
            if (!waiters.TryGetValue(messageId, out var waiter))
            {
                waiters[messageId] = waiter = new Waiter();
            }
            waiter.Count++;
            return waiter.Done.Task;
        }
    }

    /// <summary>Messages someone waits on now (each unknown id a case system asks about must not stay here).</summary>
    internal int Waiting
    {
        get
        {
            lock (waiters)
            {
                return waiters.Count;
            }
        }
    }

    /// <param name="status">The state just committed, or null when the waiters should read it.</param>
    /// <param name="status">The state just committed (watchers get it), or null when another attempt recorded it first.</param>
    public void Notify(Guid messageId, OutboxStatus? status)
    {
        Waiter? waiter;
        lock (waiters)
        {
            waiters.Remove(messageId, out waiter);
        }
        waiter?.Done.TrySetResult(status);
        if (status is null)
        {
            return;
        }
        foreach (var watcher in watchers.Keys)
        {
            if (!watcher.Writer.TryWrite(status) && watchers.TryRemove(watcher, out _))
            {
                watcher.Writer.TryComplete(new WatcherTooSlowException(watchBuffer));
            }
        }
    }

    /// <summary>
    /// One caller no longer waits on <paramref name="task"/> (it read a final state, or gave up). The wake-up stays while
    /// another caller waits on the same message: two status calls for one message must not take each other's wake-up.
    /// </summary>
    public void Forget(Guid messageId, Task task)
    {
        lock (waiters)
        {
            if (waiters.TryGetValue(messageId, out var waiter) && waiter.Done.Task == task && --waiter.Count == 0)
            {
                waiters.Remove(messageId);
            }
        }
    }

    /// <summary>The wake-up of one message and how many callers wait on it.</summary>
    private sealed class Waiter
    {
        public TaskCompletionSource<OutboxStatus?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count { get; set; }
    }
}

/// <summary>A delivery watcher fell too far behind and was ended; it reconnects and catches up through GetDeliveryStatus.</summary>
public sealed class WatcherTooSlowException : Exception
{
    public WatcherTooSlowException()
        : this(DeliveryNotifier.DefaultWatchBuffer)
    {
    }

    public WatcherTooSlowException(int buffer)
        : base($"the watcher fell {buffer} outcomes behind and was ended; reconnect, then ask GetDeliveryStatus for the messages still open")
    {
    }

    public WatcherTooSlowException(string message)
        : base(message)
    {
    }

    public WatcherTooSlowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>One watcher's outcomes (<see cref="DeliveryNotifier.Watch"/>); dispose to stop watching.</summary>
public sealed class DeliveryWatch(ChannelReader<OutboxStatus> reader, Action stop) : IDisposable
{
    public IAsyncEnumerable<OutboxStatus> ReadAllAsync(CancellationToken cancellationToken) => reader.ReadAllAsync(cancellationToken);

    public void Dispose() => stop();
}
