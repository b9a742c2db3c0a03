using System.Net;
using System.Net.Sockets;
using ChainGateway.Node.Configuration;
using ChainGateway.Node.Federation;
using ChainGateway.Node.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChainGateway.Node.Tests.Infrastructure;

/// <summary>
/// A development federation in a temporary directory with free loopback ports, and real nodes started from it
/// in this process (Kestrel on 127.0.0.1 with real TLS, real SQLite files).
/// </summary>
public sealed class TestFederation : IAsyncDisposable
{
    private readonly List<ChainNode> nodes = [];

    private TestFederation(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>What every node of this federation logged.</summary>
    public CapturedLogs Logs { get; } = new();

    public static TestFederation Create(params string[] organisations) => CreateWithAgreement(null, organisations);

    /// <summary>A federation whose agreement is <paramref name="agreementJson"/> (signed by every party), or the demo agreement when null.</summary>
    public static TestFederation CreateWithAgreement(string? agreementJson, params string[] organisations)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chaingw-test-" + Guid.NewGuid().ToString("N")[..12]);
        DevFederationBuilder.Generate(directory, organisations.Length == 0 ? DemoAgreement.Organisations : organisations,
            _ => (FreePort(), FreePort()), TimeProvider.System.GetUtcNow(), agreementJson);
        return new TestFederation(directory);
    }

    public string ConfigDirectory(string organisation) => Path.Combine(Directory, organisation);

    public NodeConfiguration Configuration(string organisation) => NodeConfiguration.Load(ConfigDirectory(organisation));

    public async Task<ChainNode> StartAsync(string organisation, TimeProvider? time = null, Action<IServiceCollection>? configureServices = null)
    {
        var node = await ChainNode.StartAsync(ConfigDirectory(organisation), time: time, configureServices: configureServices, logging: logging =>
        {
            logging.SetMinimumLevel(LogLevel.Information);
            logging.AddProvider(Logs);
        }).ConfigureAwait(false);
        nodes.Add(node);
        return node;
    }

    public async Task StopAsync(ChainNode node)
    {
        nodes.Remove(node);
        await node.DisposeAsync().ConfigureAwait(false);
    }

    public LocalClient Client(string organisation, params string[] roles) =>
        new(Configuration(organisation), roles.Length == 0 ? ["caseworker"] : roles);

    /// <summary>A caseworker client whose token is valid on <paramref name="time"/>'s clock for the next 90 days.</summary>
    public LocalClient Client(string organisation, TimeProvider time) =>
        new(Configuration(organisation), ["caseworker"],
            Auth.DevTokens.Mint(Configuration(organisation), "test-user", ["caseworker"], TimeSpan.FromDays(90), time));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
