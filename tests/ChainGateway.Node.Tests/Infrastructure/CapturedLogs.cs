using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ChainGateway.Node.Tests.Infrastructure;

/// <summary>Keeps the nodes' log events in memory, so tests can assert on what a node logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<(string Category, EventId EventId, string Message)> Events { get; } = new();

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
                owner.Events.Enqueue((category, eventId, formatter(state, exception)));
            }
        }
    }
}
