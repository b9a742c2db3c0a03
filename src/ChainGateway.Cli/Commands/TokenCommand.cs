using System.CommandLine;
using ChainGateway.Node.Auth;
using ChainGateway.Node.Configuration;

namespace ChainGateway.Cli.Commands;

/// <summary><c>chaingw token</c>: a development token from the demo identity provider (DEVELOPMENT ONLY).</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var role = new Option<string[]>("--role") { Description = "Role(s): caseworker, privacy-officer, operator", DefaultValueFactory = _ => [LocalUser.Caseworker], AllowMultipleArgumentsPerToken = true };
        var subject = new Option<string>("--subject") { Description = "The user's id (sub claim)", DefaultValueFactory = _ => "demo-user" };
        var minutes = new Option<int>("--minutes") { Description = "Lifetime in minutes", DefaultValueFactory = _ => 60 };
        var command = new Command("token", "Mint a development JWT for a node's local API") { config, role, subject, minutes };
        command.SetAction(parse =>
        {
            var configuration = NodeConfiguration.Load(parse.GetValue(config)!);
            Console.WriteLine(DevTokens.Mint(configuration, parse.GetValue(subject)!, parse.GetValue(role)!,
                TimeSpan.FromMinutes(parse.GetValue(minutes)), TimeProvider.System));
            return 0;
        });
        return command;
    }
}
