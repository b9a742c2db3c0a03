using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using ChainGateway.Core.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace ChainGateway.Node.Tests.Infrastructure;

/// <summary>
/// The node's own store, with each call counted by method name and forwarded unchanged (instrumentation: nothing is faked).
/// For a test that must see how often a component asks the store, e.g. that a lane does not read in a loop.
/// </summary>
public class CallCountingStore : DispatchProxy
{
    private readonly ConcurrentQueue<(string Method, int Count, TaskCompletionSource Reached)> waiters = new();
    private INodeStore inner = null!;

    public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    /// <summary>Registers a counting wrapper of the store <paramref name="services"/> already holds; the node's components get it.</summary>
    public static CallCountingStore Around(IServiceCollection services)
    {
        var original = (INodeStore)services.Last(d => d.ServiceType == typeof(INodeStore)).ImplementationInstance!;
        var proxy = Create<INodeStore, CallCountingStore>();
        var counting = (CallCountingStore)(object)proxy;
        counting.inner = original;
        services.AddSingleton(proxy);
        return counting;
    }

    public int Count(string method) => Calls.GetValueOrDefault(method);

    /// <summary>Completes once <paramref name="method"/> has been called <paramref name="count"/> times (or already was).</summary>
    public Task WhenCountAsync(string method, int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        waiters.Enqueue((method, count, reached));
        Release();
        return reached.Task;
    }

    private void Release()
    {
        foreach (var (method, count, reached) in waiters)
        {
            if (Count(method) >= count)
            {
                reached.TrySetResult();
            }
        }
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        Calls.AddOrUpdate(targetMethod.Name, 1, (_, n) => n + 1);
        Release();
        try
        {
            return targetMethod.Invoke(inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
