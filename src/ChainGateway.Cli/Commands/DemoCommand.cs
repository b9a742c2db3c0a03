using System.CommandLine;
using ChainGateway.Cli.Demo;

namespace ChainGateway.Cli.Commands;

/// <summary>
/// <c>chaingw demo</c>: starts the four-node demo federation as separate processes on loopback, plays a
/// scripted stalking case with allowed and refused exchanges, then keeps running until Ctrl-C.
/// <c>--once</c> exits after the script: 0 only when every step had its expected outcome.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var once = new Option<bool>("--once") { Description = "Run the script and exit (exit code 0 only when every step went as expected)" };
        var certs = new Option<string>("--certs") { Description = "The development federation directory (made by init when missing)", DefaultValueFactory = _ => "certs-dev" };
        var data = new Option<string>("--data") { Description = "Where the nodes keep their stores and logs (wiped at start)", DefaultValueFactory = _ => ".demo" };
        var command = new Command("demo", "Run the local demo federation (politie, veilig-thuis, om, reclassering)") { once, certs, data };
        command.SetAction((parse, cancellationToken) =>
            DemoRunner.RunAsync(parse.GetValue(certs)!, parse.GetValue(data)!, parse.GetValue(once), cancellationToken));
        return command;
    }
}
