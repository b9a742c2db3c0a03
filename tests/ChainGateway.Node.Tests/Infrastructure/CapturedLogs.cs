using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ChainGateway.Node.Tests.Infrastructure;

/// <summary>Keeps the nodes' log events in memory, so tests can assert on what a node logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly List<(Func<(string Category, EventId EventId, string Message), bool> Match, TaskCompletionSource Done)> waiters = [];

    public ConcurrentQueue<(string Category, EventId EventId, string Message)> Events { get; } = new();

    /// <summary>Completes when an event matching <paramref name="match"/> is (or was already) logged.</summary>
    public Task WaitForAsync(Func<(string Category, EventId EventId, string Message), bool> match, TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (waiters)
        {
            if (Events.Any(match))
            {
                return Task.CompletedTask;
            }
            waiters.Add((match, done));
        }
        return done.Task.WaitAsync(timeout);
    }

    private void Add((string Category, EventId EventId, string Message) e)
    {
        lock (waiters)
        {
            Events.Enqueue(e);
            foreach (var waiter in waiters.Where(w => w.Match(e)).ToList())
            {
                waiters.Remove(waiter);
                waiter.Done.TrySetResult();
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Add((category, eventId, formatter(state, exception) + (exception is null ? "" : " EXC " + exception)));
            }
        }
    }
}
