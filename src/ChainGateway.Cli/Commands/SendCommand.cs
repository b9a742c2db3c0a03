using System.CommandLine;
using ChainGateway.Contracts.V1;
using ChainGateway.Node.Configuration;
using ChainGateway.Node.Errors;
using Google.Protobuf;
using Grpc.Core;

namespace ChainGateway.Cli.Commands;

/// <summary><c>chaingw send</c>: shares one signal through a node's local API, as a case system would.</summary>
internal static class SendCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var to = new Option<string[]>("--to") { Description = "Recipient organisation id(s)", Required = true, AllowMultipleArgumentsPerToken = true };
        var purpose = new Option<string>("--purpose") { Description = "The purpose, e.g. risk-assessment", Required = true };
        var signal = new Option<string?>("--signal") { Description = "The signal as protobuf JSON, e.g. {\"riskAssessed\":{...}} (default: a demo StalkingReported)" };
        var urgent = new Option<bool>("--urgent") { Description = "Send with urgent priority" };
        var count = new Option<int>("--count") { Description = "Load mode: send this many signals and report throughput and latency", DefaultValueFactory = _ => 1 };
        var rate = new Option<double>("--rate") { Description = "Load mode: at most this many signals per second (0: as fast as possible)" };
        var concurrency = new Option<int>("--concurrency") { Description = "Load mode: Send calls in flight", DefaultValueFactory = _ => 32 };
        var command = new Command("send", "Share a signal with partners, or generate a bounded load with --count") { config, to, purpose, signal, urgent, count, rate, concurrency };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = new LocalApi(NodeConfiguration.Load(parse.GetValue(config)!));
            var request = new SendRequest
            {
                Purpose = parse.GetValue(purpose)!,
                Signal = parse.GetValue(signal) is { } json ? JsonParser.Default.Parse<Signal>(json) : Demo.DemoSignals.StalkingReported(),
                Priority = parse.GetValue(urgent) ? Priority.Urgent : Priority.Routine,
            };
            request.Recipients.AddRange(parse.GetValue(to)!.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries)));
            if (parse.GetValue(count) > 1 || parse.GetValue(rate) > 0)
            {
                using var load = new LoadRunner(api, request, Math.Max(1, parse.GetValue(count)), parse.GetValue(rate), Math.Max(1, parse.GetValue(concurrency)),
                    TimeSpan.FromMinutes(5));
                return await load.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            try
            {
                var response = await api.Client.SendAsync(request, api.Headers, cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (var sent in response.Envelopes)
                {
                    Console.WriteLine($"queued {sent.MessageId} for {sent.Recipient} under rule {sent.RuleId}");
                }
                return 0;
            }
            catch (RpcException e)
            {
                Console.Error.WriteLine($"send: refused: {ErrorMapping.ReasonOf(e)?.ToString() ?? e.StatusCode.ToString()} — {e.Status.Detail}");
                return 1;
            }
        });
        return command;
    }
}
