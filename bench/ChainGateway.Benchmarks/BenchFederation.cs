using System.Net;
using System.Net.Sockets;
using ChainGateway.Contracts.V1;
using ChainGateway.Node.Auth;
using ChainGateway.Node.Configuration;
using ChainGateway.Node.Federation;
using Grpc.Core;
using Grpc.Net.Client;

namespace ChainGateway.Benchmarks;

/// <summary>A throwaway development federation on 127.0.0.1 with two real <c>chaingw serve</c> processes: politie sends, om receives.</summary>
internal sealed class BenchFederation : IAsyncDisposable
{
    private BenchFederation(string directory, NodeMetrics? metrics)
    {
        Directory = directory;
        this.metrics = metrics;
    }

    private readonly NodeMetrics? metrics;

    public string Directory { get; }

    /// <summary>The two nodes' own stage durations (OTLP, as an operator's collector would receive them).</summary>
    public NodeMetrics Metrics => metrics ?? throw new InvalidOperationException("this federation's nodes export no metrics");

    public ChildProcess Sender { get; private set; } = null!;

    public ChildProcess Receiver { get; private set; } = null!;

    public static string ChaingwDll => Path.Combine(AppContext.BaseDirectory, "chaingw.dll");

    /// <param name="agreementJson">An agreement of the scenario's own instead of the demo's.</param>
    /// <param name="configure">Changes to a node's node.json before it starts.</param>
    /// <param name="exportMetrics">
    /// The nodes export their metrics to the harness (for the stage table). It costs each node 6-10 MiB of resident memory
    /// and no measurable CPU (two alternating signal pairs against the build before the export: peaks 140-144 / 130-131
    /// against 134 / 124 MiB; 0.64-0.65 / 0.45 against 0.62-0.65 / 0.44-0.45 CPU s per 1,000 signals), so the scenario
    /// that judges the RSS target without printing stages (match) runs its nodes as shipped: exporting nothing.
    /// </param>
    public static async Task<BenchFederation> StartAsync(string? agreementJson = null, Action<NodeConfiguration>? configure = null, bool exportMetrics = false)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chaingw-bench-" + Guid.NewGuid().ToString("N")[..10]);
        DevFederationBuilder.Generate(directory, DemoAgreement.Organisations, _ => (FreePort(), FreePort()), TimeProvider.System.GetUtcNow(), agreementJson);
        var federation = new BenchFederation(directory, exportMetrics ? await NodeMetrics.StartAsync().ConfigureAwait(false) : null);
        if (configure is not null)
        {
            foreach (var organisation in new[] { "politie", "om" })
            {
                var configuration = federation.Configuration(organisation);
                configure(configuration);
                configuration.Save(Path.Combine(directory, organisation));
            }
        }
        federation.Sender = await StartNodeAsync(directory, "politie", federation.metrics).ConfigureAwait(false);
        federation.Receiver = await StartNodeAsync(directory, "om", federation.metrics).ConfigureAwait(false);
        return federation;
    }

    public NodeConfiguration Configuration(string organisation) => NodeConfiguration.Load(Path.Combine(Directory, organisation));

    public (LocalService.LocalServiceClient Client, Metadata Headers, GrpcChannel Channel) Local(string organisation, string role = LocalUser.Caseworker)
    {
        var configuration = Configuration(organisation);
        var channel = GrpcChannel.ForAddress("http://" + configuration.Local.Listen);
        var headers = new Metadata { { "authorization", "Bearer " + DevTokens.Mint(configuration, "bench", [role], TimeSpan.FromHours(2), TimeProvider.System) } };
        return (new LocalService.LocalServiceClient(channel), headers, channel);
    }

    public async ValueTask DisposeAsync()
    {
        await Sender.DisposeAsync().ConfigureAwait(false);
        await Receiver.DisposeAsync().ConfigureAwait(false);
        if (metrics is not null)
        {
            await metrics.DisposeAsync().ConfigureAwait(false);
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task<ChildProcess> StartNodeAsync(string directory, string organisation, NodeMetrics? metrics) =>
        ChildProcess.StartAsync(organisation, ChaingwDll,
            ["serve", "--config", Path.Combine(directory, organisation), "--data", Path.Combine(directory, "data", organisation)],
            "started: peer endpoint", Path.Combine(directory, organisation + ".log"), metrics?.EnvironmentFor(organisation));

    /// <summary>
    /// What both nodes have recorded up to now, from each node's next export (up to 500 ms): <see cref="StagesSinceAsync"/>
    /// takes the difference at a phase's end. Not the last export received, which may be older on one node than on the
    /// other: a phase's figures would then hold the warm-up's first (compiling) calls on one node and not on the other.
    /// </summary>
    public async Task<(NodeMetrics.Snapshot Sender, NodeMetrics.Snapshot Receiver)> StageMarkAsync()
    {
        var sender = Metrics.NextAsync("politie");
        var receiver = Metrics.NextAsync("om");
        return (await sender.ConfigureAwait(false), await receiver.ConfigureAwait(false));
    }

    /// <summary>
    /// Each stage of the signal path between <paramref name="mark"/> and now, as the two nodes measured it (docs/operations.md):
    /// the sender's Send (until acknowledged), store writes (queued → committed) and commits, Deliver calls (round trip)
    /// and whole deliveries (acknowledged → receipt stored); the receiver's handling (verify → receipt signed), writes and
    /// commits. With <paramref name="priority"/>, the stages that know their lane count only that lane's signals.
    /// </summary>
    public async Task<IReadOnlyList<StageFigure>> StagesSinceAsync(string phase, (NodeMetrics.Snapshot Sender, NodeMetrics.Snapshot Receiver) mark,
        string? priority = null)
    {
        var sender = Metrics.NextAsync("politie");
        var receiver = Metrics.NextAsync("om");
        var (s, r) = (await sender.ConfigureAwait(false), await receiver.ConfigureAwait(false));
        var lane = priority is null ? [] : new[] { "priority=" + priority };
        var ms = 1000.0;
        StageFigure Figure(string node, string stage, NodeMetrics.Stage figures, double scale) =>
            new(phase, node, stage, figures.Count, figures.Mean * scale, figures.P50 * scale, figures.P99 * scale);
        return
        [
            Figure("politie", "send", s.Since(mark.Sender, "chaingateway.send.duration", lane), ms),
            Figure("politie", "store write", s.Since(mark.Sender, "chaingateway.store.write.duration", lane), ms),
            Figure("politie", "store commit", s.Since(mark.Sender, "chaingateway.store.commit.duration"), ms),
            Figure("politie", "writes/commit", s.Since(mark.Sender, "chaingateway.store.batch.size"), 1),
            Figure("politie", "deliver call", s.Since(mark.Sender, "chaingateway.delivery.attempt.duration", [.. lane, "outcome=ok"]), ms),
            Figure("politie", "delivery", s.Since(mark.Sender, "chaingateway.delivery.duration", lane), ms),
            Figure("om", "receive", r.Since(mark.Receiver, "chaingateway.receive.duration", [.. lane, "outcome=accepted"]), ms),
            Figure("om", "store write", r.Since(mark.Receiver, "chaingateway.store.write.duration", lane), ms),
            Figure("om", "store commit", r.Since(mark.Receiver, "chaingateway.store.commit.duration"), ms),
            Figure("om", "writes/commit", r.Since(mark.Receiver, "chaingateway.store.batch.size"), 1),
        ];
    }

    public static Signal SampleSignal()
    {
        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
        return new Signal
        {
            StalkingReported = new StalkingReported
            {
                ReportKind = ReportKind.Aangifte,
                ReportedOn = new Google.Type.Date { Year = day.Year, Month = day.Month, Day = day.Day },
                Suspect = new SubjectRef { Bsn = "123456782" },
                Victim = new SubjectRef { Bsn = "111222333" },
                CaseReference = "BENCH-1",
            },
        };
    }
}
