using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ChainGateway.EndToEnd.Tests;

/// <summary>Runs the real <c>chaingw</c> program (the built chaingw.dll beside the tests) as a child process.</summary>
public static class ChaingwProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "chaingw.dll");

    public static async Task<(int ExitCode, string Output)> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chaingw {string.Join(' ', arguments)} did not finish in {timeout}:{Environment.NewLine}{output}");
        }
        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    /// <summary>A base port whose peer (base+i) and local (base+100+i) ports are free for <paramref name="count"/> nodes.</summary>
    public static int FreeBasePort(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            // Below the kernel's ephemeral range (32768-60999 on Linux), where outgoing connections take their local ports.
            var candidate = Random.Shared.Next(12_000, 32_500);
            if (Enumerable.Range(0, count).All(i => IsFree(candidate + i) && IsFree(candidate + 100 + i)))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("no free port range");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
