using System.CommandLine;
using ChainGateway.Contracts.V1;
using ChainGateway.Node.Auth;
using ChainGateway.Node.Configuration;
using Google.Protobuf;
using Grpc.Core;
using Spectre.Console;

namespace ChainGateway.Cli.Commands;

/// <summary>
/// <c>chaingw overview</c>: a caseworker's view of one subject across the chain (LocalService.GetCaseOverview): who
/// directs the case, the victim's contact point, the latest risk, the measures in force, pending case conferences —
/// each fact with the organisation it came from and when. <c>--json</c> prints the response as proto3 JSON.
/// </summary>
internal static class OverviewCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var bsn = new Option<string?>("--bsn") { Description = "The subject's BSN (never leaves this node)" };
        var localId = new Option<string?>("--local-id") { Description = "The subject's id in this organisation's own systems" };
        var json = new Option<bool>("--json") { Description = "Print the overview as proto3 JSON" };
        var command = new Command("overview", "Show what this organisation holds about one subject across the chain (caseworker)") { config, bsn, localId, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var subject = (parse.GetValue(bsn), parse.GetValue(localId)) switch
            {
                ({ } b, null) => new SubjectRef { Bsn = b },
                (null, { } l) => new SubjectRef { LocalId = l },
                _ => null,
            };
            if (subject is null)
            {
                await Console.Error.WriteLineAsync("overview: give exactly one of --bsn or --local-id").ConfigureAwait(false);
                return 2;
            }
            using var api = new LocalApi(NodeConfiguration.Load(parse.GetValue(config)!), LocalUser.Caseworker, "overview");
            CaseOverview overview;
            try
            {
                overview = await api.Client.GetCaseOverviewAsync(new CaseOverviewRequest { Subject = subject }, api.Headers,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                await Console.Error.WriteLineAsync($"overview: {e.Status.StatusCode}: {e.Status.Detail}").ConfigureAwait(false);
                return 1;
            }
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonFormatter.Default.Format(overview));
                return 0;
            }
            Print(overview);
            return 0;
        });
        return command;
    }

    private static void Print(CaseOverview overview)
    {
        AnsiConsole.MarkupLine($"[bold]case overview[/] — {overview.Facts} signal(s), case reference(s) {Markup.Escape(string.Join(", ", overview.CaseReferences))}");
        var table = new Table().AddColumns("fact", "what", "from", "when");
        if (overview.CaseDirector is { } d)
        {
            table.AddRow("case director", Markup.Escape($"{d.Director.Organisation}/{d.Director.Function} {d.Director.WorkPhone} {d.Director.WorkEmail}"), Source(d.Source), When(d.Source));
        }
        if (overview.VictimContact is { } v)
        {
            table.AddRow("victim contact", Markup.Escape($"{v.Contact.Organisation}/{v.Contact.Function} {v.Contact.WorkPhone}, every {v.FollowUp?.IntervalDays} days by {v.FollowUp?.Channel}"),
                Source(v.Source), When(v.Source));
        }
        if (overview.LatestRisk is { } r)
        {
            var flags = r.Flags.Count == 0 ? string.Empty : " [red]" + string.Join(", ", r.Flags) + "[/]";
            table.AddRow("latest risk", $"{r.Instrument} {r.Level}{flags}", Source(r.Source), When(r.Source));
        }
        foreach (var m in overview.MeasuresInForce)
        {
            var reason = m.Supervisability == Supervisability.NotSupervisable ? $" ({m.NotSupervisableReason})" : string.Empty;
            table.AddRow("measure", Markup.Escape($"{m.Kind} {m.MeasureId} until {m.ValidTo?.Year:D4}-{m.ValidTo?.Month:D2}-{m.ValidTo?.Day:D2} ({m.DaysLeft} days), {m.Supervisability}{reason}"),
                Markup.Escape(string.Join(", ", m.Sources.Select(s => $"{s.Organisation} {s.SignalType}"))), When(m.Sources.LastOrDefault()));
        }
        foreach (var c in overview.PendingConferences)
        {
            table.AddRow("conference", $"{c.Forum} on {c.RequestedDate.Year:D4}-{c.RequestedDate.Month:D2}-{c.RequestedDate.Day:D2} ({c.Reason})", Source(c.Source), When(c.Source));
        }
        foreach (var report in overview.Reports)
        {
            table.AddRow("report", $"{report.ReportKind} as {report.Role}", Source(report.Source), When(report.Source));
        }
        foreach (var alert in overview.ProximityAlerts)
        {
            table.AddRow("proximity alert", Markup.Escape($"{alert.Urgency} near measure {alert.MeasureId}"), Source(alert.Source), When(alert.Source));
        }
        AnsiConsole.Write(table);
    }

    private static string Source(FactSource source) =>
        Markup.Escape(source.Direction == FactDirection.Sent ? $"{source.Organisation} → {source.Partner}" : source.Organisation) + $" [grey]({Markup.Escape(source.RuleId)})[/]";

    private static string When(FactSource? source) =>
        source?.At?.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) ?? "-";
}
