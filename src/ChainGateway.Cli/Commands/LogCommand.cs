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
        verify.SetAction(async (parse, cancellationToken) =>
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
                if (result.Ok)
                {
                    AnsiConsole.MarkupLine($"[green]log verify: ok[/] — {result.Entries} entries, {result.Checkpoints} signed checkpoints of '{Markup.Escape(node.Organisation)}' verified");
                    return 0;
                }
                AnsiConsole.MarkupLine($"[red]log verify: FAILED[/] — {Markup.Escape(result.Problem!)}");
                return 1;
            }
        });
        return new Command("log", "The sharing log: verify") { verify };
    }
}
