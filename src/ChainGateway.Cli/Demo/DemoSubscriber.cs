using System.Collections.Concurrent;
using ChainGateway.Cli.Commands;
using ChainGateway.Contracts.V1;
using Grpc.Core;

namespace ChainGateway.Cli.Demo;

/// <summary>Plays an organisation's case system: subscribes, keeps what arrives, acknowledges it.</summary>
internal sealed class DemoSubscriber : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ReceivedSignal> received = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stop = new();
    private readonly LocalApi api;
    private readonly Task loop;
    private TaskCompletionSource arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DemoSubscriber(LocalApi api)
    {
        this.api = api;
        loop = RunAsync();
    }

    public Task<ReceivedSignal> WaitForAsync(string messageId, TimeSpan timeout) => WaitForAsync(s => s.MessageId == messageId, timeout);

    /// <summary>Waits (on arrivals, not by polling) until a received signal matches.</summary>
    public async Task<ReceivedSignal> WaitForAsync(Func<ReceivedSignal, bool> match, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            var next = Volatile.Read(ref arrived).Task;
            if (received.Values.FirstOrDefault(match) is { } signal)
            {
                return signal;
            }
            await next.WaitAsync(cancel.Token).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        stop.Dispose();
    }

    private async Task RunAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var call = api.Client.Subscribe(new SubscribeRequest(), api.Headers, cancellationToken: stop.Token);
                await foreach (var signal in call.ResponseStream.ReadAllAsync(stop.Token).ConfigureAwait(false))
                {
                    await api.Client.AckAsync(new AckRequest { MessageIds = { signal.MessageId } }, api.Headers, cancellationToken: stop.Token)
                        .ConfigureAwait(false);
                    received[signal.MessageId] = signal;
                    Interlocked.Exchange(ref arrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }
            }
            catch (RpcException) when (!stop.IsCancellationRequested)
            {
                await Task.Delay(200, stop.Token).ConfigureAwait(false);
            }
            catch (RpcException)
            {
                return;
            }
        }
    }
}
