using System.Collections.Concurrent;
using System.Diagnostics;
using ChainGateway.Contracts.V1;

namespace ChainGateway.Benchmarks;

/// <summary>
/// Subject matching between two node processes (DESIGN.md §6): om's index is built for one partner (politie) with
/// <c>--subjects</c> BSNs registered through the local API (batches of 5,000, one at a time), with progress and the build time
/// reported; then politie asks om closed-loop, alternating a registered BSN (hit) and an unregistered one (no-hit),
/// and the hit and no-hit latencies are reported separately (phase 1: the maximum throughput; at concurrency 64 its
/// latency is mostly queueing); then, as in the signal scenario, open-loop at half that rate for the latency at a
/// realistic load (phase 2), again hit and no-hit apart. Rate limits are lifted for the run.
/// </summary>
internal static class MatchScenario
{
    private const int Batch = 5000;

    // One rule: politie may ask om, for case-direction. So om's index holds pseudonyms for exactly one partner.
    private const string Agreement = """
        {
          "federationId": "chaingateway-demo",
          "version": 1,
          "title": "Benchmark: subject matching",
          "parties": ["politie", "veilig-thuis", "om", "reclassering"],
          "rules": [
            {
              "id": "subject-known-case-direction",
              "processingActivity": "urn:chaingateway:processing:bench:subject-known",
              "from": ["politie"],
              "to": ["om"],
              "signalTypes": ["SubjectKnown"],
              "purpose": "case-direction",
              "legalBasis": "benchmark",
              "allowedFields": ["organisation", "function", "work_phone", "work_email"],
              "retentionDays": 30,
              "requiredRole": "caseworker"
            }
          ]
        }
        """;

    public static async Task<Result> RunAsync(int subjects, TimeSpan duration, int concurrency)
    {
        await using var federation = await BenchFederation.StartAsync(Agreement, c =>
        {
            c.Match.PerUserPerMinute = c.Match.PerPartnerPerMinute = 1e9;
            c.Match.PerUserBurst = c.Match.PerPartnerBurst = 1_000_000;
        }).ConfigureAwait(false);
        var bsns = ValidBsns(100_000_000).Take(subjects + 10_000).ToArray();
        var (om, omHeaders, omChannel) = federation.Local("om");
        var (politie, headers, channel) = federation.Local("politie");
        using (omChannel)
        using (channel)
        {
            var build = Stopwatch.StartNew();
            var nextReport = 100_000;
            var batches = Enumerable.Range(0, (subjects + Batch - 1) / Batch).ToArray();
            var done = 0;
            // One at a time: the node's writer is one thread anyway, and concurrent first calls on a fresh h2c channel were
            // seen to be reset by the client.
            await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 1 }, async (b, cancellationToken) =>
            {
                var request = new RegisterSubjectsRequest();
                for (var i = b * Batch; i < Math.Min(subjects, (b + 1) * Batch); i++)
                {
                    request.Subjects.Add(new SubjectRegistration
                    {
                        Subject = new SubjectRef { Bsn = bsns[i] },
                        Contact = new ContactPoint { Function = "casusregisseur", WorkPhone = "+31701234567", WorkEmail = "regie@om.example" },
                    });
                }
                await om.RegisterSubjectsAsync(request, omHeaders, cancellationToken: cancellationToken).ConfigureAwait(false);
                var total = Interlocked.Add(ref done, request.Subjects.Count);
                if (total >= Volatile.Read(ref nextReport))
                {
                    Interlocked.Add(ref nextReport, 100_000);
                    Console.WriteLine($"bench: match index for politie: {total:N0} of {subjects:N0} subjects after {build.Elapsed.TotalSeconds:F1} s");
                }
            }).ConfigureAwait(false);
            var buildSeconds = build.Elapsed.TotalSeconds;
            Console.WriteLine($"bench: match index for politie built: {subjects:N0} subjects in {buildSeconds:F1} s");

            var hits = new ConcurrentBag<double>();
            var misses = new ConcurrentBag<double>();
            Task OneAsync(int n) => MatchOneAsync(n, hits, misses);
            async Task MatchOneAsync(int n, ConcurrentBag<double> hitTimes, ConcurrentBag<double> missTimes)
            {
                var hit = n % 2 == 0;
                var bsn = hit ? bsns[Random.Shared.Next(subjects)] : bsns[subjects + Random.Shared.Next(10_000)];
                var started = Stopwatch.GetTimestamp();
                var response = await politie.MatchAsync(new MatchRequest { Subject = new SubjectRef { Bsn = bsn }, Purpose = "case-direction", Partners = { "om" } },
                    headers).ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (response.Results[0].Hit != hit)
                {
                    throw new InvalidOperationException($"expected {(hit ? "a hit" : "no hit")}");
                }
                (hit ? hitTimes : missTimes).Add(elapsed);
            }

            // Warm-up: connections one at a time, then closed-loop at full concurrency long enough for tiered JIT to finish
            // (50 calls in a row left the asker compiling through phase 1: a third of its CPU samples were in the JIT).
            for (var i = 0; i < 50; i++)
            {
                await OneAsync(i).ConfigureAwait(false);
            }
            var warmUp = Stopwatch.StartNew();
            var warmUpFor = TimeSpan.FromSeconds(Math.Min(3, duration.TotalSeconds / 5));
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async i =>
            {
                while (warmUp.Elapsed < warmUpFor)
                {
                    await OneAsync(i).ConfigureAwait(false);
                }
            })).ConfigureAwait(false);
            hits.Clear();
            misses.Clear();
            var cpuAsker = federation.Sender.CpuSeconds();
            var cpuAnswerer = federation.Receiver.CpuSeconds();
            var counter = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                while (clock.Elapsed < duration)
                {
                    await OneAsync(Interlocked.Increment(ref counter)).ConfigureAwait(false);
                }
            })).ConfigureAwait(false);
            var elapsed = clock.Elapsed.TotalSeconds;
            var count = hits.Count + misses.Count;
            var askerCpu = (federation.Sender.CpuSeconds() - cpuAsker) / count * 1000;
            var answererCpu = (federation.Receiver.CpuSeconds() - cpuAnswerer) / count * 1000;
            var (p50, p99, p999) = Percentiles.Of(hits.Concat(misses));
            var (hit50, hit99, _) = Percentiles.Of(hits);
            var (miss50, miss99, _) = Percentiles.Of(misses);

            // Phase 2: half the maximum rate, open loop (as SignalScenario's phase 2).
            var half = Math.Max(1, count / elapsed / 2);
            var pacedHits = new ConcurrentBag<double>();
            var pacedMisses = new ConcurrentBag<double>();
            var halfCpuAsker = federation.Sender.CpuSeconds();
            var halfCpuAnswerer = federation.Receiver.CpuSeconds();
            await OpenLoop.RunAsync(half, duration / 2, n => MatchOneAsync(n, pacedHits, pacedMisses)).ConfigureAwait(false);
            var pacedCount = pacedHits.Count + pacedMisses.Count;
            var (hp50, hp99, hp999) = Percentiles.Of(pacedHits.Concat(pacedMisses));
            var (hhit50, hhit99, hhit999) = Percentiles.Of(pacedHits);
            var (hmiss50, hmiss99, hmiss999) = Percentiles.Of(pacedMisses);
            var storeBytes = Directory.GetFiles(Path.Combine(federation.Directory, "data", "om"), "om.db*").Sum(f => new FileInfo(f).Length);
            return new Result("match", "matches/s", count / elapsed, p50, p99, p999, new Dictionary<string, double>
            {
                ["subjects"] = subjects,
                ["index_build_s"] = buildSeconds,
                ["index_subjects_per_s"] = subjects / buildSeconds,
                ["hit_p50_ms"] = hit50,
                ["hit_p99_ms"] = hit99,
                ["no_hit_p50_ms"] = miss50,
                ["no_hit_p99_ms"] = miss99,
                ["concurrency"] = concurrency,
                ["asker_cpu_s_per_1000"] = askerCpu,
                ["answerer_cpu_s_per_1000"] = answererCpu,
                ["half_rate_per_s"] = half,
                ["half_rate_p50_ms"] = hp50,
                ["half_rate_p99_ms"] = hp99,
                ["half_rate_p999_ms"] = hp999,
                ["half_rate_hit_p50_ms"] = hhit50,
                ["half_rate_hit_p99_ms"] = hhit99,
                ["half_rate_hit_p999_ms"] = hhit999,
                ["half_rate_no_hit_p50_ms"] = hmiss50,
                ["half_rate_no_hit_p99_ms"] = hmiss99,
                ["half_rate_no_hit_p999_ms"] = hmiss999,
                ["half_rate_asker_cpu_s_per_1000"] = (federation.Sender.CpuSeconds() - halfCpuAsker) / pacedCount * 1000,
                ["half_rate_answerer_cpu_s_per_1000"] = (federation.Receiver.CpuSeconds() - halfCpuAnswerer) / pacedCount * 1000,
                ["answerer_store_mb"] = storeBytes / 1e6,
                ["answerer_peak_rss_mb"] = federation.Receiver.PeakRssMb(),
            });
        }
    }

    /// <summary>Nine-digit numbers from <paramref name="start"/> on that pass the 11-check.</summary>
    private static IEnumerable<string> ValidBsns(int start)
    {
        for (var n = start; n < 1_000_000_000; n++)
        {
            var digits = n.ToString("D9", System.Globalization.CultureInfo.InvariantCulture);
            if (Core.Subjects.Bsn.IsValid(digits))
            {
                yield return digits;
            }
        }
    }
}
