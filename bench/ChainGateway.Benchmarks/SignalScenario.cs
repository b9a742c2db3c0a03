using System.Collections.Concurrent;
using System.Diagnostics;
using ChainGateway.Contracts.V1;

namespace ChainGateway.Benchmarks;

/// <summary>
/// End-to-end durable signals between two node processes: Send acknowledged (outbox committed) → receiver's inbox
/// committed → signed receipt verified and stored at the sender. Phase 1 runs closed-loop at full concurrency (the
/// maximum throughput); phase 2 sends at half that rate, open-loop, for the latency at a realistic load.
/// </summary>
internal static class SignalScenario
{
    public static async Task<Result> RunAsync(TimeSpan duration, int concurrency)
    {
        await using var federation = await BenchFederation.StartAsync(exportMetrics: true).ConfigureAwait(false);
        var (client, headers, channel) = federation.Local("politie");
        using (channel)
        {
            await using var watcher = await DeliveryWatcher.StartAsync(client, headers).ConfigureAwait(false);
            var request = new SendRequest { Purpose = "risk-assessment", Signal = BenchFederation.SampleSignal(), Recipients = { "om" } };
            async Task<double> OneAsync(ConcurrentBag<double>? acknowledged = null)
            {
                var started = Stopwatch.GetTimestamp();
                var sent = await client.SendAsync(request, headers).ConfigureAwait(false);
                acknowledged?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                var status = await watcher.OutcomeAsync(sent.Envelopes[0].MessageId).ConfigureAwait(false);
                return status.State == DeliveryState.Delivered ? Stopwatch.GetElapsedTime(started).TotalMilliseconds : double.NaN;
            }

            // Warm-up: JIT, connections, SQLite caches.
            await Task.WhenAll(Enumerable.Range(0, Math.Min(200, concurrency * 4)).Select(_ => OneAsync())).ConfigureAwait(false);

            var cpuSender = federation.Sender.CpuSeconds();
            var cpuReceiver = federation.Receiver.CpuSeconds();
            var cpuClient = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
            var latencies = new ConcurrentBag<double>();
            var mark = await federation.StageMarkAsync().ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                while (clock.Elapsed < duration)
                {
                    latencies.Add(await OneAsync().ConfigureAwait(false));
                }
            })).ConfigureAwait(false);
            var elapsed = clock.Elapsed.TotalSeconds;
            var delivered = latencies.Count(l => !double.IsNaN(l));
            var throughput = delivered / elapsed;
            var cpuPer1000Sender = (federation.Sender.CpuSeconds() - cpuSender) / delivered * 1000;
            var cpuPer1000Receiver = (federation.Receiver.CpuSeconds() - cpuReceiver) / delivered * 1000;
            // The harness's own share of the machine (the case system's calls), which the nodes do not get.
            var cpuPer1000Client = (Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - cpuClient) / delivered * 1000;
            var (p50, p99, p999) = Percentiles.Of(latencies.Where(l => !double.IsNaN(l)));

            var stages = new List<StageFigure>(await federation.StagesSinceAsync("max rate", mark).ConfigureAwait(false));

            // Phase 2: half the maximum rate, open loop.
            var half = Math.Max(1, throughput / 2);
            var paced = new ConcurrentBag<double>();
            var pacedAcknowledged = new ConcurrentBag<double>();
            mark = await federation.StageMarkAsync().ConfigureAwait(false);
            await OpenLoop.RunAsync(half, duration / 2, async _ => paced.Add(await OneAsync(pacedAcknowledged).ConfigureAwait(false))).ConfigureAwait(false);
            stages.AddRange(await federation.StagesSinceAsync("half rate", mark).ConfigureAwait(false));
            var (hp50, hp99, hp999) = Percentiles.Of(paced.Where(l => !double.IsNaN(l)));
            // Send → acknowledged (outbox and log committed at the sender) alone: the first of the signal's three commits.
            var (ap50, ap99, _) = Percentiles.Of(pacedAcknowledged);

            return new Result("signal", "signals/s", throughput, p50, p99, p999, new Dictionary<string, double>
            {
                ["delivered"] = delivered,
                ["concurrency"] = concurrency,
                ["half_rate_per_s"] = half,
                ["half_rate_p50_ms"] = hp50,
                ["half_rate_p99_ms"] = hp99,
                ["half_rate_p999_ms"] = hp999,
                ["half_rate_send_ack_p50_ms"] = ap50,
                ["half_rate_send_ack_p99_ms"] = ap99,
                ["sender_cpu_s_per_1000"] = cpuPer1000Sender,
                ["receiver_cpu_s_per_1000"] = cpuPer1000Receiver,
                ["client_cpu_s_per_1000"] = cpuPer1000Client,
                ["sender_peak_rss_mb"] = federation.Sender.PeakRssMb(),
                ["receiver_peak_rss_mb"] = federation.Receiver.PeakRssMb(),
            })
            { Stages = stages };
        }
    }
}
