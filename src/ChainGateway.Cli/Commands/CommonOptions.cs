using System.CommandLine;

namespace ChainGateway.Cli.Commands;

internal static class CommonOptions
{
    public static Option<string> Config() => new("--config", "-c")
    {
        Description = "The node's config directory (holds node.json)",
        Required = true,
    };
}
