namespace ChainGateway.Node.Hosting;

/// <summary>
/// The runtime environment a node process starts with: deploy/systemd/chaingateway@.service sets the same, the demo and
/// the benchmark harness pass it to the nodes they start (docs/operations.md, "Memory").
/// </summary>
public static class NodeRuntime
{
    /// <summary>
    /// <c>DOTNET_GCgen0size</c> (hexadecimal bytes): a gen-0 budget of 6 MiB instead of the 16 MiB the GC takes on a host with
    /// a 32 MiB L3 cache; 8-14 MB less resident memory under load at the same throughput (docs/performance.md). Only an
    /// environment variable sets it: runtimeconfig.json has no property for it.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DOTNET_GCgen0size"] = "0x600000",
    };

    /// <summary>Adds <see cref="Environment"/> to a child's environment, leaving any value the caller's environment already sets.</summary>
    public static void ApplyTo(IDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var (key, value) in Environment)
        {
            environment.TryAdd(key, value);
        }
    }

    /// <summary>
    /// The web host's options for a node (and the harness's baseline server): the configuration is read once, so no reload
    /// of appsettings.json on change, which put a recursive file watcher on the working directory (the whole filesystem
    /// for a systemd service, whose working directory is /); the content root is the configuration directory.
    /// </summary>
    public static WebApplicationOptions HostOptions(string configDirectory) => new()
    {
        Args = ["--hostBuilder:reloadConfigOnChange=false"],
        ContentRootPath = Path.GetFullPath(configDirectory),
    };
}
