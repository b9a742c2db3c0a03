using System.CommandLine;
using ChainGateway.Contracts.V1;
using ChainGateway.Node.Configuration;
using Google.Protobuf;
using Grpc.Core;

namespace ChainGateway.Cli.Commands;

/// <summary><c>chaingw watch</c>: subscribes to received signals, prints each as JSON and acknowledges it.</summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var noAck = new Option<bool>("--no-ack") { Description = "Print without acknowledging (they come again next time)" };
        var command = new Command("watch", "Print received signals as they arrive") { config, noAck };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = new LocalApi(NodeConfiguration.Load(parse.GetValue(config)!));
            using var call = api.Client.Subscribe(new SubscribeRequest(), api.Headers, cancellationToken: cancellationToken);
            try
            {
                await foreach (var received in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    Console.WriteLine(JsonFormatter.Default.Format(received));
                    if (!parse.GetValue(noAck))
                    {
                        await api.Client.AckAsync(new AckRequest { MessageIds = { received.MessageId } }, api.Headers, cancellationToken: cancellationToken)
                            .ConfigureAwait(false);
                    }
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
            {
            }
            return 0;
        });
        return command;
    }
}
