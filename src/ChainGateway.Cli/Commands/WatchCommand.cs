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
            var configuration = NodeConfiguration.Load(parse.GetValue(config)!);
            while (true)
            {
                // A stream serves as long as its token: when that expires (8 hours), watch goes on with a new one.
                using var api = new LocalApi(configuration);
                using var call = api.Client.Subscribe(new SubscribeRequest(), api.Headers, cancellationToken: cancellationToken);
                var opened = System.Diagnostics.Stopwatch.StartNew();
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
                    return 0;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
                {
                    return 0;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated && opened.Elapsed > TimeSpan.FromMinutes(1)
                    && !cancellationToken.IsCancellationRequested)
                {
                    await Console.Error.WriteLineAsync($"watch: {e.Status.Detail}; going on with a new token").ConfigureAwait(false);
                }
            }
        });
        return command;
    }
}
