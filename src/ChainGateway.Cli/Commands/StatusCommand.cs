using System.CommandLine;
using ChainGateway.Contracts.V1;
using ChainGateway.Node.Auth;
using ChainGateway.Node.Configuration;
using Spectre.Console;

namespace ChainGateway.Cli.Commands;

/// <summary><c>chaingw status</c>: the operator's view of a node's outbox: envelopes per partner and state, and the dead letters.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var command = new Command("status", "Show the outbox per partner, the dead letters and the witness alerts (operator)") { config };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = new LocalApi(NodeConfiguration.Load(parse.GetValue(config)!), LocalUser.Operator, "operator");
            var outbox = await api.Client.GetOutboxAsync(new OutboxRequest { MaxDeadLetters = 50 }, api.Headers, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            var table = new Table().AddColumns("partner", "queued", "delivered", "dead letter");
            foreach (var partner in outbox.Counts.GroupBy(c => c.Partner))
            {
                string Count(DeliveryState state) => partner.Where(c => c.State == state).Sum(c => (long)c.Count).ToString(System.Globalization.CultureInfo.InvariantCulture);
                table.AddRow(partner.Key, Count(DeliveryState.Queued), Count(DeliveryState.Delivered), Count(DeliveryState.DeadLetter));
            }
            AnsiConsole.Write(table);
            foreach (var alert in outbox.Alerts)
            {
                AnsiConsole.MarkupLine($"[red bold]ALERT[/] {alert.Time.ToDateTimeOffset():yyyy-MM-dd HH:mm:ss} witness refused {Markup.Escape(alert.Partner)}'s checkpoint: "
                    + $"{Markup.Escape(alert.ReasonCode)} — {Markup.Escape(alert.Detail)} (log #{alert.LogIndex})");
            }
            foreach (var notice in outbox.KeyNotices)
            {
                AnsiConsole.MarkupLine($"{(notice.Expired ? "[red bold]KEY[/]" : "[yellow]key[/]")} {Markup.Escape(notice.Message)}");
            }
            foreach (var dead in outbox.DeadLetters)
            {
                AnsiConsole.MarkupLine($"[red]dead letter[/] {dead.MessageId} → {Markup.Escape(dead.Recipient)} after {dead.Attempts} attempt(s): {Markup.Escape(dead.LastError)}");
            }
            return 0;
        });
        return command;
    }
}
