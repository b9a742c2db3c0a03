using ChainGateway.Cli.Commands;
using ChainGateway.Contracts.V1;
using Spectre.Console;

namespace ChainGateway.Cli.Demo;

/// <summary>
/// The end of the demo: the case overview (LocalService.GetCaseOverview) of the suspect and the victim as each
/// organisation sees it — checked against what each one's rules let it receive, then printed side by side.
/// </summary>
internal sealed class DemoOverview(IReadOnlyDictionary<string, LocalApi> apis)
{
    private readonly Dictionary<string, (CaseOverview Suspect, CaseOverview Victim)> overviews = new(StringComparer.Ordinal);

    public async Task<string> CheckAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        var problems = new List<string>();
        void Expect(bool holds, string what)
        {
            if (!holds)
            {
                problems.Add(what);
            }
        }
        var om = overviews["om"].Suspect;
        Expect(Supervisability(om, DemoSignals.LocationBan) == Contracts.V1.Supervisability.NotSupervisable, "om: the location ban is not supervisable");
        Expect(Supervisability(om, DemoSignals.ContactBan) == Contracts.V1.Supervisability.Feasible, "om: the contact ban is supervisable");
        Expect(om.CaseDirector?.Director.Organisation == "politie", "om: politie directs the case");
        Expect(om.LatestRisk?.Level == RiskLevel.High, "om: the latest risk is high");
        var politie = overviews["politie"].Suspect;
        Expect(Supervisability(politie, DemoSignals.LocationBan) == Contracts.V1.Supervisability.Feasible,
            "politie: never told about supervisability (only om is), so the ban stays 'feasible' there");
        Expect(politie.ProximityAlerts.Count == 1, "politie: one proximity alert");
        var reclassering = overviews["reclassering"].Suspect;
        Expect(reclassering.Reports.Count == 0 && reclassering.MeasuresInForce.Count == 2, "reclassering: both measures, no report");
        Expect(overviews["cjib"].Suspect.Facts == 0, "cjib: nothing about the suspect");
        Expect(overviews["cjib"].Victim.MeasuresInForce.SingleOrDefault() is { AreaCode: "" }, "cjib: the victim's order, without the area");
        Expect(overviews["slachtofferhulp"].Victim.VictimContact is not null && overviews["slachtofferhulp"].Victim.MeasuresInForce.Count == 0,
            "slachtofferhulp: the victim's contact point, no measures");
        var raad = overviews["raad-kinderbescherming"].Suspect;
        Expect(raad.CaseDirector is not null && raad.PendingConferences.Count == 1 && raad.LatestRisk is null && raad.MeasuresInForce.Count == 0,
            "raad-kinderbescherming: the director and the Actieoverleg request only");
        var zvh = overviews["zorg-veiligheidshuis"].Suspect;
        Expect(zvh.CaseDirector is not null && zvh.Facts == 1, "zorg-veiligheidshuis: the case director only");
        return problems.Count == 0
            ? $"consistent ({overviews.Count} organisations, {overviews.Values.Sum(o => o.Suspect.Facts)} facts about the suspect)"
            : "inconsistent: " + string.Join("; ", problems);
    }

    public async Task PrintAsync(CancellationToken cancellationToken)
    {
        if (overviews.Count == 0)
        {
            await LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        var table = new Table().Title("[bold]the case overview as each organisation sees it[/] (suspect · victim)")
            .AddColumns("organisation", "facts", "case director", "victim contact", "risk", "measures in force", "conference", "alerts");
        foreach (var (organisation, (suspect, victim)) in overviews)
        {
            var measures = suspect.MeasuresInForce.Concat(victim.MeasuresInForce).DistinctBy(m => m.MeasureId)
                .Select(m => $"{Kind(m.Kind)} {m.DaysLeft}d {Supervisable(m.Supervisability)}");
            var contact = victim.VictimContact ?? suspect.VictimContact;
            table.AddRow(
                organisation,
                $"{suspect.Facts} · {victim.Facts}",
                suspect.CaseDirector is { } d ? $"{d.Director.Organisation}/{d.Director.Function}" : "-",
                contact is { } c ? $"{c.Contact.Organisation}/{c.Contact.Function}, every {c.FollowUp?.IntervalDays}d" : "-",
                suspect.LatestRisk is { } r ? $"{r.Level} by {r.Source.Organisation}" : "-",
                Markup.Escape(string.Join(", ", measures) is { Length: > 0 } m2 ? m2 : "-"),
                suspect.PendingConferences.Count == 0 ? "-" : string.Join(", ", suspect.PendingConferences.Select(p => $"{p.Forum} {p.RequestedDate.Month}/{p.RequestedDate.Day}")),
                suspect.ProximityAlerts.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        foreach (var (organisation, api) in apis)
        {
            var suspect = await api.Client.GetCaseOverviewAsync(new CaseOverviewRequest { Subject = DemoSignals.Suspect }, api.Headers,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            var victim = await api.Client.GetCaseOverviewAsync(new CaseOverviewRequest { Subject = DemoSignals.Victim }, api.Headers,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            overviews[organisation] = (suspect, victim);
        }
    }

    private static Supervisability? Supervisability(CaseOverview overview, string measureId) =>
        overview.MeasuresInForce.FirstOrDefault(m => m.MeasureId == measureId)?.Supervisability;

    private static string Kind(MeasureKind kind) => kind switch
    {
        MeasureKind.ContactBan => "contact ban",
        MeasureKind.LocationBan => "location ban",
        MeasureKind.AreaBan => "area ban",
        MeasureKind.AnkleMonitor => "ankle monitor",
        _ => "measure",
    };

    private static string Supervisable(Supervisability supervisability) => supervisability switch
    {
        Contracts.V1.Supervisability.Feasible => "(supervisable)",
        Contracts.V1.Supervisability.NotSupervisable => "(NOT supervisable)",
        Contracts.V1.Supervisability.NotFeasibleAtImposition => "(not feasible)",
        _ => string.Empty,
    };
}
