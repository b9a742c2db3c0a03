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
    LogCommand.Create(),
    DemoCommand.Create(),
};
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
