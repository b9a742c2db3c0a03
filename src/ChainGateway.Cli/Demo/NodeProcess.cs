using System.Diagnostics;
using ChainGateway.Node.Configuration;
using ChainGateway.Node.Hosting;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace ChainGateway.Cli.Demo;

/// <summary>A <c>chaingw serve</c> child process of the demo, with its output in a log file.</summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StreamWriter log;

    private NodeProcess(string organisation, NodeConfiguration configuration, Process process, StreamWriter log, string logPath)
    {
        Organisation = organisation;
        Configuration = configuration;
        this.process = process;
        this.log = log;
        LogPath = logPath;
    }

    public string Organisation { get; }

    public NodeConfiguration Configuration { get; }

    public string LogPath { get; }

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    public static NodeProcess Start(string configDirectory, string dataDirectory)
    {
        var configuration = NodeConfiguration.Load(configDirectory);
        Directory.CreateDirectory(dataDirectory);
        var start = SelfCommand(["serve", "--config", configDirectory, "--data", dataDirectory]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        NodeRuntime.ApplyTo(start.Environment);
        var logPath = Path.Combine(dataDirectory, "node.log");
        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start chaingw serve");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new NodeProcess(configuration.Organisation, configuration, process, log, logPath);
    }

    /// <summary>How to run this same program again: the apphost, or <c>dotnet chaingw.dll</c>.</summary>
    public static ProcessStartInfo SelfCommand(IEnumerable<string> arguments)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(self);
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(NodeProcess).Assembly.Location);
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    /// <summary>Waits until the node's gRPC health check answers SERVING.</summary>
    public async Task WaitUntilServingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress("http://" + Configuration.Local.Listen);
        var health = new Health.HealthClient(channel);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Organisation} exited with code {process.ExitCode}; see {LogPath}");
            }
            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(2), cancellationToken: cancellationToken)
                    .ConfigureAwait(false);
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (Grpc.Core.RpcException) when (deadline.Elapsed < timeout)
            {
                // Not listening yet: the process is still starting.
            }
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"{Organisation} did not become healthy within {timeout}; see {LogPath}");
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            // SIGTERM first: the node stops gracefully.
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync().ConfigureAwait(false);
            }
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        process.Dispose();
        await log.DisposeAsync().ConfigureAwait(false);
    }
}
