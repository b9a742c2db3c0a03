using System.CommandLine;
using ChainGateway.Cli.Commands;

var root = new RootCommand("chaingw — the ChainGateway node and its tools")
{
    InitCommand.Create(),
    ServeCommand.Create(),
    TokenCommand.Create(),
    SendCommand.Create(),
    WatchCommand.Create(),
    StatusCommand.Create(),
    OverviewCommand.Create(),
    LogCommand.Create(),
    DemoCommand.Create(),
};
// On SIGTERM or Ctrl-C the running command is cancelled and given time to stop what it started (the demo stops its
// eight node processes, each signing a last checkpoint) before the process exits.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) }).ConfigureAwait(false);
