using System.CommandLine;
using ChainGateway.Node.Configuration;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Reconcile;
using ChainGateway.Node.Tiles;
using ChainGateway.Storage.Sqlite;
using Spectre.Console;

namespace ChainGateway.Cli.Commands;

/// <summary>
/// <c>chaingw log reconcile &lt;partner&gt;</c>: every receipt we hold from the partner is in its signed log, and every
/// exchange its log claims with us is in ours (docs/sharing-log.md). Exit 0 when they agree, 1 with the differences
/// (also when the partner's log could not be read after a difference was proven), 2 when a store or the partner cannot
/// be read.
/// </summary>
internal static class LogReconcileCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var data = new Option<string?>("--data") { Description = "Directory of the store (default: as node.json says)" };
        var partner = new Argument<string>("partner") { Description = "The partner organisation whose log to reconcile with" };
        var command = new Command("reconcile", "Check every receipt from a partner against its signed log (over tlog-tiles), and its log's exchanges with us against ours")
        {
            partner, config, data,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await RunAsync(parse.GetValue(config)!, parse.GetValue(data), parse.GetValue(partner)!, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidDataException or Microsoft.Data.Sqlite.SqliteException
                or InvalidOperationException or NodeConfigurationException)
            {
                await Console.Error.WriteLineAsync($"log reconcile: {e.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(string configDirectory, string? dataDirectory, string partner, CancellationToken cancellationToken)
    {
        var configuration = NodeConfiguration.Load(configDirectory);
        using var node = NodeContext.Load(configuration, TimeProvider.System);
        var path = dataDirectory is { } dir ? Path.Combine(dir, Path.GetFileName(configuration.Store.Path)) : configuration.Resolve(configuration.Store.Path);
        if (!File.Exists(path))
        {
            await Console.Error.WriteLineAsync($"log reconcile: no store at {path}").ConfigureAwait(false);
            return 2;
        }
        var store = new SqliteNodeStore(path);
        await using (store.ConfigureAwait(false))
        {
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            using var client = new PartnerLogClient(node);
            ReconcileResult? result = null;
            await AnsiConsole.Progress().AutoClear(true).StartAsync(async progress =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                var reporter = new Progress<ReconcileProgress>(p =>
                {
                    if (!tasks.TryGetValue(p.Stage, out var task))
                    {
                        tasks[p.Stage] = task = progress.AddTask(p.Stage);
                    }
                    task.IsIndeterminate = p.Total <= 0;
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Total <= 0 ? 0 : p.Done;
                });
                result = await SharingLogReconcile.RunAsync(node, store, client, partner, reporter, cancellationToken).ConfigureAwait(false);
            }).ConfigureAwait(false);
            foreach (var difference in result!.Differences)
            {
                AnsiConsole.MarkupLine($"[red]difference[/] {Markup.Escape(difference)}");
            }
            if (result.Unread is { } unread)
            {
                AnsiConsole.MarkupLine($"[red]not read[/] {Markup.Escape(unread)}");
            }
            if (result.Pending > 0)
            {
                AnsiConsole.MarkupLine($"[yellow]pending[/] {result.Pending} receipt(s) of the last {SharingLogReconcile.PendingGrace.TotalMinutes:0} minutes name entries '{Markup.Escape(partner)}' has not signed yet (it signs at an interval); the next run checks them");
            }
            var summary = $"{result.Receipts} receipts from '{partner}' and {result.PartnerEntries} exchanges in its log of {result.PartnerSize} entries";
            if (result.Ok)
            {
                AnsiConsole.MarkupLine($"[green]log reconcile: ok[/] — {Markup.Escape(summary)} agree with ours");
                return 0;
            }
            AnsiConsole.MarkupLine($"[red]log reconcile: {result.Differences.Count} difference(s)[/] — {Markup.Escape(summary)}");
            return 1;
        }
    }
}
