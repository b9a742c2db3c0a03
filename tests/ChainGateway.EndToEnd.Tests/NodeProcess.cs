using System.Diagnostics;

namespace ChainGateway.EndToEnd.Tests;

/// <summary>A real <c>chaingw serve</c> process that a test starts, kills with SIGKILL, and starts again on the same store.</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly string config;
    private readonly string data;
    private readonly string? workingDirectory;
    private Process? process;
    private TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int generation;

    public NodeProcess(string config, string data, string? workingDirectory = null)
    {
        this.config = config;
        this.data = data;
        this.workingDirectory = workingDirectory;
        Directory.CreateDirectory(data);
    }

    public int Kills { get; private set; }

    public bool IsRunning => process is { HasExited: false };

    /// <summary>The running process's id.</summary>
    public int Id => process?.Id ?? throw new InvalidOperationException("not running");

    /// <summary>Starts the node and returns once it logged that it listens.</summary>
    public async Task StartAsync()
    {
        started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }
        foreach (var argument in new[] { "exec", ChaingwProcess.Dll, "serve", "--config", config, "--data", data })
        {
            start.ArgumentList.Add(argument);
        }
        var log = new StreamWriter(Path.Combine(data, $"node-{++generation}.log")) { AutoFlush = true };
        var signal = started;
        process = Process.Start(start)!;
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
            if (e.Data.Contains("started: peer endpoint", StringComparison.Ordinal))
            {
                signal.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (log) { log.WriteLine(e.Data); } } };
        process.Exited += (_, _) => signal.TrySetException(new InvalidOperationException($"chaingw serve exited; see {data}"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await signal.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>SIGKILL: no shutdown, no flush, whatever it was doing.</summary>
    public async Task KillAsync()
    {
        if (process is { HasExited: false } p)
        {
            p.Kill();
            await p.WaitForExitAsync();
            Kills++;
        }
        process?.Dispose();
        process = null;
    }

    /// <summary>SIGTERM and wait: a graceful stop, so the store can be inspected.</summary>
    public async Task StopAsync()
    {
        if (process is { HasExited: false } p)
        {
            using (var term = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await p.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill();
            }
        }
        process?.Dispose();
        process = null;
    }

    public async ValueTask DisposeAsync() => await KillAsync();
}
