using System.CommandLine;
using ChainGateway.Node.Federation;

namespace ChainGateway.Cli.Commands;

/// <summary><c>chaingw init</c>: makes the development federation material (CA, certificates, keys, trust list, signed agreement).</summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Where to write the federation", DefaultValueFactory = _ => "certs-dev" };
        var basePort = new Option<int>("--base-port") { Description = "Peer ports are base+i, local ports base+100+i", DefaultValueFactory = _ => 7100 };
        var organisations = new Option<string>("--orgs") { Description = "Comma-separated organisation ids", DefaultValueFactory = _ => string.Join(',', DemoAgreement.Organisations) };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing federation" };
        var command = new Command("init", "Make a DEVELOPMENT federation: CA, TLS certificates, key sets, trust list and a signed demo agreement")
        {
            output, basePort, organisations, force,
        };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(output)!;
            if (File.Exists(Path.Combine(dir, "trust-list.json")) && !parse.GetValue(force))
            {
                Console.Error.WriteLine($"init: {dir} already holds a federation; use --force to replace it");
                return 2;
            }
            var orgs = parse.GetValue(organisations)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            DevFederationBuilder.Generate(dir, orgs, parse.GetValue(basePort), TimeProvider.System.GetUtcNow());
            Console.WriteLine($"init: wrote a development federation of {orgs.Length} organisations to {Path.GetFullPath(dir)} (DEVELOPMENT ONLY)");
            return 0;
        });
        return command;
    }
}
