using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using ChainGateway.Contracts.V1;
using ChainGateway.Node.Federation;

namespace ChainGateway.Benchmarks;

/// <summary>
/// ProximityAlert latency (priority urgent) while routine signals (StalkingReported) saturate the link: routine senders
/// run closed-loop at full concurrency, and an urgent ProximityAlert goes out every 100 ms. The harness's two nodes are
/// politie and om, so the demo agreement's proximity-alert rule (reclassering to politie in the chain) is widened to
/// politie to om for the run.
/// </summary>
internal static class PriorityScenario
{
    public static async Task<Result> RunAsync(TimeSpan duration, int concurrency)
    {
        var agreement = JsonNode.Parse(DemoAgreement.Json(DemoAgreement.Organisations))!;
        var proximityRule = agreement["rules"]!.AsArray().Single(rule => (string?)rule!["id"] == "proximity-alert")!;
        proximityRule["from"]!.AsArray().Add("politie");
        proximityRule["to"]!.AsArray().Add("om");
        await using var federation = await BenchFederation.StartAsync(agreement.ToJsonString(), exportMetrics: true).ConfigureAwait(false);
        var (client, headers, channel) = federation.Local("politie");
        // A second case-system connection, as an alarm component of its own would have: its urgent signals do not share
        // the routine senders' HTTP/2 connection (and it asks for each outcome on it).
        var (alarm, alarmHeaders, alarmChannel) = federation.Local("politie");
        using (channel)
        using (alarmChannel)
        {
            await using var watcher = await DeliveryWatcher.StartAsync(client, headers).ConfigureAwait(false);
            var routine = new SendRequest { Purpose = "risk-assessment", Signal = BenchFederation.SampleSignal(), Recipients = { "om" }, Priority = Priority.Routine };
            var urgent = new SendRequest
            {
                Purpose = "protection-order-enforcement",
                Signal = new Signal
                {
                    // Detected now; a ProximityAlert may be up to a day old, longer than any run.
                    ProximityAlert = new ProximityAlert
                    {
                        Subject = new SubjectRef { Bsn = "123456782" },
                        CaseReference = "BENCH-1",
                        MeasureId = "BENCH-M1",
                        DetectedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
                        Urgency = Urgency.Immediate,
                    },
                },
                Recipients = { "om" },
                Priority = Priority.Urgent,
            };
            await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => client.SendAsync(routine, headers).ResponseAsync)).ConfigureAwait(false);
            // Warm the urgent path as well (its lane, its writes, the status wake-up): the nodes compile a method on
            // its first use, and without this the first two probes measured that compilation (~900 ms), not the lane.
            for (var i = 0; i < 20; i++)
            {
                var sent = await client.SendAsync(urgent, headers).ConfigureAwait(false);
                await watcher.OutcomeAsync(sent.Envelopes[0].MessageId).ConfigureAwait(false);
                await AlarmAsync().ConfigureAwait(false);
            }

            var mark = await federation.StageMarkAsync().ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            long routineSent = 0;
            var flood = Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                while (clock.Elapsed < duration)
                {
                    await client.SendAsync(routine, headers).ConfigureAwait(false);
                    Interlocked.Increment(ref routineSent);
                }
            }));
            async Task<double> AlarmAsync()
            {
                var started = Stopwatch.GetTimestamp();
                var sent = await alarm.SendAsync(urgent, alarmHeaders).ConfigureAwait(false);
                var status = await alarm.GetDeliveryStatusAsync(
                    new DeliveryStatusRequest { MessageId = sent.Envelopes[0].MessageId, WaitSeconds = 60 }, alarmHeaders).ConfigureAwait(false);
                return status.State == DeliveryState.Delivered ? Stopwatch.GetElapsedTime(started).TotalMilliseconds : double.NaN;
            }

            var latencies = new ConcurrentBag<double>();
            var acknowledged = new ConcurrentBag<double>();
            var ownConnection = new ConcurrentBag<double>();
            var probes = new List<Task>();
            using (var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100)))
            {
                while (clock.Elapsed < duration && await tick.WaitForNextTickAsync().ConfigureAwait(false))
                {
                    probes.Add(Task.Run(async () =>
                    {
                        var started = Stopwatch.GetTimestamp();
                        var sent = await client.SendAsync(urgent, headers).ConfigureAwait(false);
                        acknowledged.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        var status = await watcher.OutcomeAsync(sent.Envelopes[0].MessageId).ConfigureAwait(false);
                        if (status.State == DeliveryState.Delivered)
                        {
                            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        }
                    }));
                    // Half a tick later, one from the alarm component's own connection.
                    probes.Add(Task.Run(async () =>
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
                        ownConnection.Add(await AlarmAsync().ConfigureAwait(false));
                    }));
                }
            }
            await flood.ConfigureAwait(false);
            await Task.WhenAll(probes).ConfigureAwait(false);
            // The urgent signals' stages, then the routine flood's (the commits and batches are shared by both lanes).
            List<StageFigure> stages = [.. await federation.StagesSinceAsync("urgent", mark, "urgent").ConfigureAwait(false)];
            stages.AddRange((await federation.StagesSinceAsync("routine", mark, "routine").ConfigureAwait(false))
                .Where(s => !s.Stage.StartsWith("store commit", StringComparison.Ordinal) && s.Stage != "writes/commit"));
            var (p50, p99, p999) = Percentiles.Of(latencies);
            // Send → acknowledged (outbox and log committed at the sender) alone: the first part of the urgent path.
            var (ackP50, ackP99, _) = Percentiles.Of(acknowledged);
            var (ownP50, ownP99, _) = Percentiles.Of(ownConnection.Where(l => !double.IsNaN(l)));
            return new Result("priority", "urgent delivered", latencies.Count, p50, p99, p999, new Dictionary<string, double>
            {
                ["routine_sent_per_s"] = routineSent / duration.TotalSeconds,
                ["urgent_samples"] = latencies.Count,
                ["urgent_send_ack_p50_ms"] = ackP50,
                ["urgent_send_ack_p99_ms"] = ackP99,
                ["urgent_own_connection_p50_ms"] = ownP50,
                ["urgent_own_connection_p99_ms"] = ownP99,
            })
            { Stages = stages };
        }
    }
}
