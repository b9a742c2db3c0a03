using System.Collections.Concurrent;
using System.Diagnostics;
using ChainGateway.Contracts.V1;
using Grpc.Core;
using Spectre.Console;

namespace ChainGateway.Cli.Commands;

/// <summary>
/// A bounded load generator for <c>chaingw send --count N --rate R</c>: sends N signals through the local API at
/// up to R per second with a fixed number in flight, shows sent / acknowledged / failed as it goes, then waits until
/// the partner's signed receipts for all of them are in and reports throughput and latencies.
/// </summary>
internal sealed class LoadRunner(LocalApi api, SendRequest template, int count, double rate, int concurrency, TimeSpan deliveryTimeout) : IDisposable
{
    private const int LatencySamples = 500;
    private readonly ConcurrentBag<double> sendLatencies = [];
    private readonly ConcurrentBag<double> deliveryLatencies = [];
    // One operator client for the whole run: the outbox counts are polled several times a second.
    private readonly LocalApi operatorApi = new(api.Configuration, Node.Auth.LocalUser.Operator, "load-operator");
    private int sent;
    private int acknowledged;
    private int failed;

    public void Dispose() => operatorApi.Dispose();

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var recipients = template.Recipients.ToList();
        var deliveredBefore = await DeliveredCountAsync(recipients, cancellationToken).ConfigureAwait(false);
        var sampleEvery = Math.Max(1, count / LatencySamples);
        var clock = Stopwatch.StartNew();
        var samples = new ConcurrentBag<Task>();

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
                        if (i % sampleEvery == 0)
                        {
                            samples.Add(MeasureDeliveryAsync(response.Envelopes[0].MessageId, started, token));
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

        var target = deliveredBefore + ((long)acknowledged * recipients.Count);
        var delivered = await WaitForDeliveriesAsync(recipients, target, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(samples).ConfigureAwait(false);
        var totalSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"load: delivered with verified receipts {delivered - deliveredBefore} of {(long)acknowledged * recipients.Count} in {totalSeconds:F2} s ({(delivered - deliveredBefore) / totalSeconds:F0} signals/s end to end)");
        Console.WriteLine($"load: send latency p50 {Percentile(sendLatencies, 0.50):F2} ms, p99 {Percentile(sendLatencies, 0.99):F2} ms; " +
            $"delivery latency (send to verified receipt, {deliveryLatencies.Count} samples) p50 {Percentile(deliveryLatencies, 0.50):F2} ms, p99 {Percentile(deliveryLatencies, 0.99):F2} ms");
        return failed == 0 && delivered >= target ? 0 : 1;
    }

    private async Task MeasureDeliveryAsync(string messageId, long started, CancellationToken cancellationToken)
    {
        var status = await api.Client.GetDeliveryStatusAsync(new DeliveryStatusRequest { MessageId = messageId, WaitSeconds = 60 }, api.Headers,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (status.State == DeliveryState.Delivered)
        {
            deliveryLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private async Task<long> WaitForDeliveriesAsync(List<string> recipients, long target, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var delivered = await DeliveredCountAsync(recipients, cancellationToken).ConfigureAwait(false);
            if (delivered >= target || deadline.Elapsed > deliveryTimeout)
            {
                return delivered;
            }
            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<long> DeliveredCountAsync(List<string> recipients, CancellationToken cancellationToken)
    {
        var outbox = await operatorApi.Client.GetOutboxAsync(new OutboxRequest { MaxDeadLetters = 1 }, operatorApi.Headers, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return outbox.Counts.Where(c => recipients.Contains(c.Partner) && c.State == DeliveryState.Delivered).Sum(c => (long)c.Count);
    }

    private static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}
