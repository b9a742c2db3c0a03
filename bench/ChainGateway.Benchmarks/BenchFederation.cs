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
    private BenchFederation(string directory) => Directory = directory;

    public string Directory { get; }

    public ChildProcess Sender { get; private set; } = null!;

    public ChildProcess Receiver { get; private set; } = null!;

    public static string ChaingwDll => Path.Combine(AppContext.BaseDirectory, "chaingw.dll");

    /// <param name="agreementJson">An agreement of the scenario's own instead of the demo's.</param>
    /// <param name="configure">Changes to a node's node.json before it starts.</param>
    public static async Task<BenchFederation> StartAsync(string? agreementJson = null, Action<NodeConfiguration>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chaingw-bench-" + Guid.NewGuid().ToString("N")[..10]);
        DevFederationBuilder.Generate(directory, DemoAgreement.Organisations, _ => (FreePort(), FreePort()), TimeProvider.System.GetUtcNow(), agreementJson);
        var federation = new BenchFederation(directory);
        if (configure is not null)
        {
            foreach (var organisation in new[] { "politie", "om" })
            {
                var configuration = federation.Configuration(organisation);
                configure(configuration);
                configuration.Save(Path.Combine(directory, organisation));
            }
        }
        federation.Sender = await StartNodeAsync(directory, "politie").ConfigureAwait(false);
        federation.Receiver = await StartNodeAsync(directory, "om").ConfigureAwait(false);
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

    private static Task<ChildProcess> StartNodeAsync(string directory, string organisation) =>
        ChildProcess.StartAsync(organisation, ChaingwDll,
            ["serve", "--config", Path.Combine(directory, organisation), "--data", Path.Combine(directory, "data", organisation)],
            "started: peer endpoint", Path.Combine(directory, organisation + ".log"));

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
