using System.CommandLine;
using ChainGateway.Node.Configuration;
using ChainGateway.Node.Hosting;
using ChainGateway.Storage.Sqlite;
using Spectre.Console;

namespace ChainGateway.Cli.Commands;

/// <summary><c>chaingw log verify</c>: the privacy officer's check that the node's sharing log was not rewritten.</summary>
internal static class LogCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var data = new Option<string?>("--data") { Description = "Directory of the store (default: as node.json says)" };
        var verify = new Command("verify", "Recompute every entry's leaf hash and the Merkle root at every checkpoint, and check every checkpoint signature")
        {
            config, data,
        };
        verify.SetAction((parse, cancellationToken) => Guarded("log verify", async () =>
        {
            var configuration = NodeConfiguration.Load(parse.GetValue(config)!);
            using var node = NodeContext.Load(configuration, TimeProvider.System);
            var path = parse.GetValue(data) is { } dir ? Path.Combine(dir, Path.GetFileName(configuration.Store.Path)) : configuration.Resolve(configuration.Store.Path);
            if (!File.Exists(path))
            {
                await Console.Error.WriteLineAsync($"log verify: no store at {path}").ConfigureAwait(false);
                return 2;
            }
            var store = new SqliteNodeStore(path);
            await using (store.ConfigureAwait(false))
            {
                await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
                var result = await SharingLogAudit.VerifyAsync(node, store,
                    new Progress<long>(n => { if (n % 100_000 == 0 && n > 0) { Console.WriteLine($"log verify: {n} entries checked"); } }), cancellationToken)
                    .ConfigureAwait(false);
                foreach (var alert in result.WitnessAlerts)
                {
                    AnsiConsole.MarkupLine($"[red]witness alert[/] entry #{alert.Index} {alert.Time:O}: refused to cosign {Markup.Escape(alert.Partner ?? "?")}'s checkpoint ({Markup.Escape(alert.ReasonCode ?? "?")}): {Markup.Escape(alert.Detail ?? string.Empty)}");
                }
                if (result.Ok)
                {
                    AnsiConsole.MarkupLine($"[green]log verify: ok[/] — {result.Entries} entries, {result.Checkpoints} signed checkpoints of '{Markup.Escape(node.Organisation)}' and {result.Cosignatures} partners' cosignatures verified");
                    if (result.Entries > result.SignedEntries)
                    {
                        AnsiConsole.MarkupLine($"log verify: the last {result.Entries - result.SignedEntries} entries are not under a signed checkpoint yet: checked against their stored hashes only, until the node signs the next one");
                    }
                    return 0;
                }
                AnsiConsole.MarkupLine($"[red]log verify: FAILED[/] — {Markup.Escape(result.Problem!)}");
                return 1;
            }
        }));
        var exportConfig = CommonOptions.Config();
        var exportData = new Option<string?>("--data") { Description = "Directory of the store (default: as node.json says)" };
        var from = new Option<DateTimeOffset?>("--from") { Description = "Only entries at or after this time (ISO 8601)" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "Only entries before this time (ISO 8601)" };
        var partner = new Option<string?>("--partner") { Description = "Only exchanges with this organisation" };
        var purpose = new Option<string?>("--purpose") { Description = "Only this purpose" };
        var subject = new Option<string?>("--subject") { Description = "Only entries about this pairwise pseudonym (hex)" };
        var export = new Command("export", "Write entries (JSON Lines) with their inclusion proofs against the latest signed checkpoint")
        {
            exportConfig, exportData, from, to, partner, purpose, subject,
        };
        export.SetAction((parse, cancellationToken) => Guarded("log export", async () =>
        {
            var configuration = NodeConfiguration.Load(parse.GetValue(exportConfig)!);
            var path = parse.GetValue(exportData) is { } dir ? Path.Combine(dir, Path.GetFileName(configuration.Store.Path)) : configuration.Resolve(configuration.Store.Path);
            if (!File.Exists(path))
            {
                await Console.Error.WriteLineAsync($"log export: no store at {path}").ConfigureAwait(false);
                return 2;
            }
            var store = new SqliteNodeStore(path);
            await using (store.ConfigureAwait(false))
            {
                await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
                var filter = new LogExportFilter(parse.GetValue(from), parse.GetValue(to), parse.GetValue(partner), parse.GetValue(purpose), parse.GetValue(subject));
                var count = await SharingLogExport.WriteAsync(store, filter, Console.Out, cancellationToken).ConfigureAwait(false);
                await Console.Error.WriteLineAsync($"log export: {count} entries").ConfigureAwait(false);
                return 0;
            }
        }));
        return new Command("log", "The sharing log: verify, export, reconcile") { verify, export, LogReconcileCommand.Create() };
    }

    /// <summary>A store that cannot be read (another schema, a damaged file) is a clear message and exit code 2, not a stack trace.</summary>
    private static async Task<int> Guarded(string verb, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException or NodeConfigurationException)
        {
            await Console.Error.WriteLineAsync($"{verb}: {e.Message}").ConfigureAwait(false);
            return 2;
        }
    }
}
