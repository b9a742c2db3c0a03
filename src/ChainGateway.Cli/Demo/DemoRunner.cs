using ChainGateway.Cli.Commands;
using ChainGateway.Node.Federation;
using Spectre.Console;

namespace ChainGateway.Cli.Demo;

/// <summary>Starts the demo federation's node processes, runs the script, and keeps the federation up until Ctrl-C.</summary>
internal static class DemoRunner
{
    public static async Task<int> RunAsync(string certsDirectory, string dataDirectory, bool once, CancellationToken cancellationToken)
    {
        if (Console.IsOutputRedirected)
        {
            // Logs and CI read whole lines: no wrapping at a guessed terminal width.
            AnsiConsole.Profile.Width = 400;
        }
        if (!File.Exists(Path.Combine(certsDirectory, "trust-list.json")))
        {
            AnsiConsole.MarkupLine($"[grey]demo: no federation in {Markup.Escape(certsDirectory)}; making one with init (development only)[/]");
            DevFederationBuilder.Generate(certsDirectory, DemoAgreement.Organisations, 7100, TimeProvider.System.GetUtcNow());
        }
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        var nodes = new List<NodeProcess>();
        try
        {
            foreach (var organisation in DemoAgreement.Organisations)
            {
                nodes.Add(NodeProcess.Start(Path.Combine(certsDirectory, organisation), Path.Combine(dataDirectory, organisation)));
            }
            foreach (var node in nodes)
            {
                await node.WaitUntilServingAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
                AnsiConsole.MarkupLine($"demo: [bold]{node.Organisation}[/] (pid {node.ProcessId}) peer https://{node.Configuration.Peer.Listen}  local http://{node.Configuration.Local.Listen}  log {Markup.Escape(node.LogPath)}");
            }

            var script = new DemoScript(certsDirectory, nodes);
            int passed, total;
            await using (script.ConfigureAwait(false))
            {
                (passed, total) = await script.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            if (once)
            {
                Console.WriteLine($"demo: {passed}/{total} steps ok");
                return passed == total ? 0 : 1;
            }
            AnsiConsole.MarkupLine($"demo: {passed}/{total} steps ok. The federation keeps running; try [bold]chaingw watch --config {Markup.Escape(Path.Combine(certsDirectory, "om"))}[/]. Ctrl-C stops it.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            return passed == total ? 0 : 1;
        }
        finally
        {
            // All at once: each node stops gracefully (a last signed checkpoint) in parallel with the others.
            await Task.WhenAll(nodes.Select(n => n.DisposeAsync().AsTask())).ConfigureAwait(false);
        }
    }
}
