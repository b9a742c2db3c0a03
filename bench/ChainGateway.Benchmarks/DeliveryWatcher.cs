using System.Collections.Concurrent;
using ChainGateway.Contracts.V1;
using Grpc.Core;

namespace ChainGateway.Benchmarks;

/// <summary>
/// The case system's view of its sent envelopes' outcomes: one WatchDeliveries stream for the whole run, as a case system
/// would keep one, instead of a GetDeliveryStatus call per message.
/// </summary>
internal sealed class DeliveryWatcher : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, TaskCompletionSource<DeliveryStatusResponse>> outcomes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stop = new();
    private readonly AsyncServerStreamingCall<DeliveryStatusResponse> call;
    private Task pump = Task.CompletedTask;
    private Exception? failure;

    private DeliveryWatcher(LocalService.LocalServiceClient client, Metadata headers) =>
        call = client.WatchDeliveries(new WatchDeliveriesRequest(), headers, cancellationToken: stop.Token);

    public static async Task<DeliveryWatcher> StartAsync(LocalService.LocalServiceClient client, Metadata headers)
    {
        var watcher = new DeliveryWatcher(client, headers);
        // The response headers mean the node is watching: no outcome after them is missed.
        await watcher.call.ResponseHeadersAsync.ConfigureAwait(false);
        watcher.pump = Task.Run(watcher.PumpAsync);
        return watcher;
    }

    /// <summary>The outcome of <paramref name="messageId"/> (it may have arrived before this call).</summary>
    public async Task<DeliveryStatusResponse> OutcomeAsync(string messageId)
    {
        try
        {
            return await For(messageId).Task.WaitAsync(Patience).ConfigureAwait(false);
        }
        finally
        {
            outcomes.TryRemove(messageId, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await pump.ConfigureAwait(false);
        call.Dispose();
        stop.Dispose();
    }

    private TaskCompletionSource<DeliveryStatusResponse> For(string messageId)
    {
        var outcome = outcomes.GetOrAdd(messageId, _ => new TaskCompletionSource<DeliveryStatusResponse>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (Volatile.Read(ref failure) is { } e)
        {
            outcome.TrySetException(e);
        }
        return outcome;
    }

    private async Task PumpAsync()
    {
        try
        {
            while (await call.ResponseStream.MoveNext(stop.Token).ConfigureAwait(false))
            {
                For(call.ResponseStream.Current.MessageId).TrySetResult(call.ResponseStream.Current);
            }
            Fail(new InvalidOperationException("the node ended the WatchDeliveries stream"));
        }
        catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
        }
        catch (RpcException e)
        {
            Fail(e);
        }
    }

    private void Fail(Exception e)
    {
        Volatile.Write(ref failure, e);
        foreach (var outcome in outcomes.Values)
        {
            outcome.TrySetException(e);
        }
    }
}
