using System.Diagnostics;
using ChainGateway.Node.Hosting;

namespace ChainGateway.Benchmarks;

/// <summary>A node (or baseline server) process of the harness: started, waited for, measured, stopped by its PID.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process process;

    private ChildProcess(Process process, string name)
    {
        this.process = process;
        Name = name;
    }

    public string Name { get; }

    public int Id => process.Id;

    /// <summary>Starts <c>dotnet exec &lt;dll&gt; args</c> and returns when it printed <paramref name="readyText"/>.</summary>
    public static async Task<ChildProcess> StartAsync(string name, string dll, IEnumerable<string> arguments, string readyText, string logPath,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        // The runtime settings a deployed node runs with (deploy/systemd), for the baseline server too.
        NodeRuntime.ApplyTo(start.Environment, service: true);
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (log)
            {
                log.WriteLine(e.Data);
            }
            if (e.Data.Contains(readyText, StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"{name} exited early; see {logPath}"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        return new ChildProcess(process, name);
    }

    public double CpuSeconds() => ProcessStats.CpuSeconds(process.Id);

    public double PeakRssMb() => ProcessStats.PeakRssMb(process.Id);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
        }
        process.Dispose();
    }
}
