using System.Collections.Concurrent;
using System.Diagnostics;
using ChainGateway.Contracts.V1;
using Grpc.Core;
using Spectre.Console;

namespace ChainGateway.Cli.Commands;

/// <summary>
/// A bounded load generator for <c>chaingw send --count N --rate R</c>: sends N signals through the local API at
/// up to R per second with a fixed number in flight, shows sent / acknowledged / failed as it goes, then waits until
/// the outcome of every envelope is in (delivered with the partner's verified receipt, or dead-lettered) and reports
/// throughput and latencies. Outcomes come on one WatchDeliveries stream, opened before the first Send, as a case
/// system would watch them: no status call per message, no operator rights.
/// </summary>
internal sealed class LoadRunner(LocalApi api, SendRequest template, int count, double rate, int concurrency, TimeSpan deliveryTimeout) : IDisposable
{
    private readonly ConcurrentBag<double> sendLatencies = [];
    private readonly ConcurrentBag<double> deliveryLatencies = [];
    // One slot per message id: its Send's start and its outcome, whichever arrives first waits for the other (an outcome
    // can come before the Send's answer is read). Outcomes of other senders of this node stay here unclaimed until exit.
    private readonly ConcurrentDictionary<string, Slot> slots = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource allIn = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource stopWatching = new();
    private long expected = long.MaxValue;
    private long outcomes;
    private int sent;
    private int acknowledged;
    private int failed;
    private int delivered;
    private int deadLettered;

    public void Dispose() => stopWatching.Dispose();

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var recipients = template.Recipients.Count;
        using var watch = api.Client.WatchDeliveries(new WatchDeliveriesRequest(), api.Headers, cancellationToken: stopWatching.Token);
        // The headers mean the node is watching: no outcome of what is sent from here on is missed.
        await watch.ResponseHeadersAsync.WaitAsync(cancellationToken).ConfigureAwait(false);
        var watching = WatchAsync(watch.ResponseStream);
        var clock = Stopwatch.StartNew();

        async Task SendAll(Action refresh)
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    if (rate > 0)
                    {
                        // Pace by schedule, not by sleeping a fixed time: signal i leaves at i / rate seconds.
                        var due = TimeSpan.FromSeconds(i / rate) - clock.Elapsed;
                        if (due > TimeSpan.Zero)
                        {
                            await Task.Delay(due, token).ConfigureAwait(false);
                        }
                    }
                    var started = Stopwatch.GetTimestamp();
                    Interlocked.Increment(ref sent);
                    try
                    {
                        var response = await api.Client.SendAsync(template, api.Headers, cancellationToken: token).ConfigureAwait(false);
                        sendLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        Interlocked.Add(ref acknowledged, 1);
                        foreach (var envelope in response.Envelopes)
                        {
                            Arrive(envelope.MessageId, slot => slot.Started = started);
                        }
                    }
                    catch (RpcException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                    refresh();
                }).ConfigureAwait(false);
        }

        if (AnsiConsole.Profile.Capabilities.Interactive)
        {
            await AnsiConsole.Progress().AutoClear(false).StartAsync(async context =>
            {
                var bar = context.AddTask("sent", maxValue: count);
                await SendAll(() =>
                {
                    bar.Value = Volatile.Read(ref sent);
                    bar.Description = $"sent {Volatile.Read(ref sent)} / acknowledged {Volatile.Read(ref acknowledged)} / failed {Volatile.Read(ref failed)}";
                }).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        else
        {
            await SendAll(() => { }).ConfigureAwait(false);
        }
        var sendSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"load: sent {sent}, acknowledged {acknowledged}, failed {failed} in {sendSeconds:F2} s ({acknowledged / sendSeconds:F0} signals/s acknowledged)");

        var target = (long)acknowledged * recipients;
        Volatile.Write(ref expected, target);
        if (Interlocked.Read(ref outcomes) >= target)
        {
            allIn.TrySetResult();
        }
        try
        {
            await allIn.Task.WaitAsync(deliveryTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Console.WriteLine($"load: {target - Interlocked.Read(ref outcomes)} envelopes had no outcome after {deliveryTimeout.TotalSeconds:F0} s");
        }
        await stopWatching.CancelAsync().ConfigureAwait(false);
        await watching.ConfigureAwait(false);
        var totalSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"load: delivered with verified receipts {delivered} of {target}, dead-lettered {deadLettered}, in {totalSeconds:F2} s " +
            $"({delivered / totalSeconds:F0} signals/s end to end)");
        Console.WriteLine($"load: send latency p50 {Percentile(sendLatencies, 0.50):F2} ms, p99 {Percentile(sendLatencies, 0.99):F2} ms; " +
            $"delivery latency (send to verified receipt, {deliveryLatencies.Count} envelopes) p50 {Percentile(deliveryLatencies, 0.50):F2} ms, " +
            $"p99 {Percentile(deliveryLatencies, 0.99):F2} ms");
        return failed == 0 && deadLettered == 0 && delivered >= target ? 0 : 1;
    }

    private async Task WatchAsync(IAsyncStreamReader<DeliveryStatusResponse> stream)
    {
        try
        {
            while (await stream.MoveNext(stopWatching.Token).ConfigureAwait(false))
            {
                var outcome = stream.Current;
                Arrive(outcome.MessageId, slot => slot.Outcome = outcome);
            }
        }
        catch (Exception e) when (stopWatching.IsCancellationRequested && e is OperationCanceledException or RpcException)
        {
        }
        catch (RpcException e)
        {
            // The node ended the watch (it restarted, say): what is still open times out and is reported as such.
            Console.Error.WriteLine($"load: the delivery watch ended: {e.Status.StatusCode} {e.Status.Detail}");
        }
    }

    /// <summary>One of the two halves of a message's slot arrived; the second one records the outcome.</summary>
    private void Arrive(string messageId, Action<Slot> fill)
    {
        var slot = slots.GetOrAdd(messageId, _ => new Slot());
        fill(slot);
        if (Interlocked.Increment(ref slot.Arrivals) != 2)
        {
            return;
        }
        slots.TryRemove(messageId, out _);
        var outcome = slot.Outcome!;
        if (outcome.State == DeliveryState.Delivered)
        {
            Interlocked.Increment(ref delivered);
            deliveryLatencies.Add(Stopwatch.GetElapsedTime(slot.Started).TotalMilliseconds);
        }
        else
        {
            Interlocked.Increment(ref deadLettered);
            Console.Error.WriteLine($"load: {messageId} to {outcome.Recipient} dead-lettered: {outcome.LastError}");
        }
        if (Interlocked.Increment(ref outcomes) >= Volatile.Read(ref expected))
        {
            allIn.TrySetResult();
        }
    }

    private static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    private sealed class Slot
    {
        public long Started;
        public DeliveryStatusResponse? Outcome;
        public int Arrivals;
    }
}
