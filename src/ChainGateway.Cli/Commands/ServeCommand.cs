using System.CommandLine;
using ChainGateway.Node.Configuration;
using ChainGateway.Node.Hosting;

namespace ChainGateway.Cli.Commands;

/// <summary><c>chaingw serve --config &lt;dir&gt;</c>: runs one node until Ctrl-C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var data = new Option<string?>("--data") { Description = "Directory for the store (default: as node.json says)" };
        var command = new Command("serve", "Run a node") { config, data };
        command.SetAction(async (parse, cancellationToken) =>
        {
            ChainNode node;
            try
            {
                node = await ChainNode.StartAsync(parse.GetValue(config)!, parse.GetValue(data), cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (NodeConfigurationException e)
            {
                await Console.Error.WriteLineAsync($"serve: the node cannot start.{Environment.NewLine}{e.Message}").ConfigureAwait(false);
                return 2;
            }
            await using (node.ConfigureAwait(false))
            {
                await node.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            }
            return 0;
        });
        return command;
    }
}
