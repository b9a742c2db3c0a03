using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
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

    /// <summary>Changes an organisation's node.json; its node reads it when it starts.</summary>
    public void EditNodeConfiguration(string organisation, Action<JsonObject> edit)
    {
        var file = Path.Combine(ConfigDirectory(organisation), "node.json");
        var json = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        edit(json);
        File.WriteAllText(file, json.ToJsonString());
    }

    /// <summary>Changes the listed keys of one use (<c>signingKeys</c>, <c>envelopeKeys</c>, <c>pseudonymKeys</c>) of an organisation in the trust list; nodes read it when they start.</summary>
    public void EditListedKeys(string organisation, string use, Action<JsonArray> edit)
    {
        var file = Path.Combine(Directory, "trust-list.json");
        var document = JsonNode.Parse(File.ReadAllText(file))!;
        edit(document["organisations"]!.AsArray().Single(o => (string?)o!["id"] == organisation)![use]!.AsArray());
        File.WriteAllText(file, document.ToJsonString());
    }

    public NodeConfiguration Configuration(string organisation) => NodeConfiguration.Load(ConfigDirectory(organisation));

    public async Task<ChainNode> StartAsync(string organisation, TimeProvider? time = null, Action<IServiceCollection>? configureServices = null,
        Func<string, string?>? environment = null)
    {
        var node = await ChainNode.StartAsync(ConfigDirectory(organisation), time: time, configureServices: configureServices, logging: logging =>
        {
            logging.SetMinimumLevel(LogLevel.Information);
            logging.AddProvider(Logs);
        }, environment: environment).ConfigureAwait(false);
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
    public LocalClient Client(string organisation, TimeProvider time) => Client(organisation, time, "caseworker");

    /// <summary>A client whose token is minted on <paramref name="time"/> (a node's test clock), with <paramref name="roles"/>.</summary>
    public LocalClient Client(string organisation, TimeProvider time, params string[] roles) =>
        new(Configuration(organisation), roles, Auth.DevTokens.Mint(Configuration(organisation), "test-user", roles, TimeSpan.FromDays(90), time));

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

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A free port below the kernel's ephemeral range, never the same twice in this process. A port the kernel hands out
    /// for "any port" comes from the ephemeral range, where the many test clients' outgoing connections take theirs too:
    /// between this check and the node binding it, one of them took it now and then ("address already in use").
    /// </summary>
    private static int FreePort()
    {
        var ephemeralStart = EphemeralRangeStart();
        lock (HandedOut)
        {
            while (true)
            {
                var port = Random.Shared.Next(10_000, ephemeralStart);
                if (!HandedOut.Add(port))
                {
                    continue;
                }
                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    return port;
                }
                catch (SocketException)
                {
                    // In use by something else on the machine: another one.
                }
            }
        }
    }

    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return Math.Clamp(int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture), 12_000, 65_535);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32_768;
        }
    }
}
