namespace ChainGateway.Node.Hosting;

/// <summary>
/// The runtime environment a node process starts with. deploy/systemd/chaingateway@.service sets
/// <see cref="ServiceEnvironment"/>, as the benchmark harness does for the nodes it measures; <c>chaingw demo</c> passes
/// <see cref="Environment"/> to its eight short-lived nodes (docs/operations.md, "Process: working directory and memory").
/// </summary>
public static class NodeRuntime
{
    /// <summary>
    /// Every node: <c>DOTNET_GCgen0size</c> (hexadecimal bytes), a gen-0 budget of 6 MiB instead of the 16 MiB the GC takes on
    /// a host with a 32 MiB L3 cache; 8-14 MB less resident memory under load at the same throughput (docs/performance-history.md).
    /// Only an environment variable sets it: runtimeconfig.json has no property for it.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DOTNET_GCgen0size"] = "0x600000",
    };

    /// <summary>
    /// A node that runs as a service: <see cref="Environment"/> and <c>DOTNET_ReadyToRun=0</c>. chaingw runs without tiered
    /// compilation, so the framework's precompiled (ReadyToRun) code would run as shipped for the life of the process;
    /// without it, the framework's methods are compiled fully optimised for this CPU on first use, as the node's own are:
    /// more signals per CPU second and less resident memory, for 1.5 s more start (docs/performance.md). Not for the demo,
    /// whose eight nodes start at once on a small machine and run for minutes.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ServiceEnvironment { get; } = new Dictionary<string, string>(Environment, StringComparer.Ordinal)
    {
        ["DOTNET_ReadyToRun"] = "0",
    };

    /// <summary>
    /// Adds <see cref="Environment"/> (or <see cref="ServiceEnvironment"/>) to a child's environment, leaving any value the
    /// caller's environment already sets.
    /// </summary>
    public static void ApplyTo(IDictionary<string, string?> environment, bool service = false)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var (key, value) in service ? ServiceEnvironment : Environment)
        {
            environment.TryAdd(key, value);
        }
    }

    /// <summary>
    /// The settings of <see cref="ServiceEnvironment"/> that <paramref name="environment"/> leaves unset, as <c>NAME=value</c>,
    /// for the note a node logs at start (RuntimeSettingsNotSet). A variable set to another value is the operator's choice
    /// and not listed; the runtime's older prefix (<c>COMPlus_</c>) counts as set.
    /// </summary>
    public static IReadOnlyList<string> NotSet(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return [.. ServiceEnvironment
            .Where(pair => string.IsNullOrEmpty(environment(pair.Key)) && string.IsNullOrEmpty(environment("COMPlus_" + pair.Key["DOTNET_".Length..])))
            .Select(pair => $"{pair.Key}={pair.Value}")
            .Order(StringComparer.Ordinal)];
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
