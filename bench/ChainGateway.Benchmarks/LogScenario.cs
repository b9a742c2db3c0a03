using System.Diagnostics;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Configuration;
using ChainGateway.Node.Hosting;
using ChainGateway.Storage.Sqlite;

namespace ChainGateway.Benchmarks;

/// <summary>
/// The sharing log: append throughput through the store's group commit (entries like a node's: metadata of one
/// exchange each), then <c>log verify</c> over all of them (every leaf and the root at a signed checkpoint).
/// </summary>
internal static class LogScenario
{
    public static async Task<Result> RunAsync(int entries, int concurrency)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chaingw-log-" + Guid.NewGuid().ToString("N")[..10]);
        Node.Federation.DevFederationBuilder.Generate(directory, Node.Federation.DemoAgreement.Organisations,
            _ => (BenchFederation.FreePort(), BenchFederation.FreePort()), TimeProvider.System.GetUtcNow());
        try
        {
            using var node = NodeContext.Load(NodeConfiguration.Load(Path.Combine(directory, "politie")), TimeProvider.System);
            var store = new SqliteNodeStore(Path.Combine(directory, "log.db"));
            await using (store.ConfigureAwait(false))
            {
                await store.InitializeAsync(default).ConfigureAwait(false);
                var commits = store.Commits;
                var clock = Stopwatch.StartNew();
                var next = -1;
                await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
                {
                    while (Interlocked.Increment(ref next) < entries)
                    {
                        await store.AppendLogAsync(Entry(next), default).ConfigureAwait(false);
                    }
                })).ConfigureAwait(false);
                var appendSeconds = clock.Elapsed.TotalSeconds;
                var durableCommits = store.Commits - commits;

                // One signed checkpoint over everything, as the node signs them.
                var tree = new MerkleTree();
                for (long from = 1; ; from += 50_000)
                {
                    var leaves = await store.ReadLeafHashesAsync(from, 50_000, default).ConfigureAwait(false);
                    foreach (var leaf in leaves)
                    {
                        tree.Append(leaf);
                    }
                    if (leaves.Count < 50_000)
                    {
                        break;
                    }
                }
                var origin = Checkpoint.OriginFor(node.Organisation);
                await store.AppendCheckpointAsync(tree.Size, tree.Root(), Checkpoint.Sign(origin, tree.Size, tree.Root(), origin, node.Keys.Signing),
                    TimeProvider.System.GetUtcNow(), default).ConfigureAwait(false);

                // CPU seconds of this process over the verify (nothing else runs in it then): the figure the machine's
                // other load distorts least, where wall seconds depend on getting both cores.
                using var self = Process.GetCurrentProcess();
                var cpuBefore = self.TotalProcessorTime;
                clock.Restart();
                var audit = await SharingLogAudit.VerifyAsync(node, store, null, default).ConfigureAwait(false);
                var verifySeconds = clock.Elapsed.TotalSeconds;
                self.Refresh();
                var verifyCpuSeconds = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
                if (!audit.Ok || audit.Entries != entries)
                {
                    throw new InvalidOperationException($"log verify failed on its own log: {audit.Problem} ({audit.Entries} entries)");
                }
                return new Result("log", "appends/s", entries / appendSeconds, double.NaN, double.NaN, double.NaN, new Dictionary<string, double>
                {
                    ["entries"] = entries,
                    ["durable_commits"] = durableCommits,
                    ["verify_seconds"] = verifySeconds,
                    ["verify_entries_per_s"] = entries / verifySeconds,
                    ["verify_cpu_seconds"] = verifyCpuSeconds,
                });
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static LogEntry Entry(int i) => new()
    {
        Time = DateTimeOffset.UnixEpoch.AddMilliseconds(1_790_000_000_000 + i),
        Event = LogEvent.Received,
        Partner = "om",
        Purpose = "risk-assessment",
        ProcessingActivity = "urn:chaingateway:processing:politie:stalking-report",
        RuleId = "politie-stalking-report",
        SignalType = "StalkingReported",
        SubjectPseudonym = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i))),
        MessageId = Guid.CreateVersion7(),
        EnvelopeHash = System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(~i)),
        Outcome = "ok",
        TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
        SpanId = "00f067aa0ba902b7",
    };
}
