using Spectre.Console;

namespace ChainGateway.Benchmarks;

/// <summary>
/// Issue 8's targets, each judged on the figures of this run only (so the ratios hold on a noisy machine). A target
/// whose scenario did not run is left out; nothing here fails the run: the targets are the report's bar, not a test.
/// </summary>
internal static class Targets
{
    public sealed record Target(string Name, double Measured, string Bar, bool Met);

    public static IReadOnlyList<Target> Evaluate(IReadOnlyList<Result> results, IReadOnlyDictionary<string, double> ratios)
    {
        var targets = new List<Target>();
        Result? Of(string scenario) => results.FirstOrDefault(r => r.Scenario == scenario && !double.IsNaN(r.Throughput));
        double Extra(Result r, string key) => r.Extra.TryGetValue(key, out var value) ? value : double.NaN;
        void Add(string name, double measured, string bar, Func<double, bool> met)
        {
            if (!double.IsNaN(measured))
            {
                targets.Add(new Target(name, measured, bar, met(measured)));
            }
        }

        if (ratios.TryGetValue("signal/crypto floor", out var floor))
        {
            Add("signal throughput / crypto floor", floor, ">= 0.60", v => v >= 0.60);
        }
        if (Of("signal") is { } signal)
        {
            Add("signal p99 at half the maximum rate, ms", Extra(signal, "half_rate_p99_ms"), "< 5", v => v < 5);
        }
        if (Of("priority") is { } priority)
        {
            Add("urgent p99 while routine saturates, ms", priority.P99Ms, "< 20", v => v < 20);
        }
        if (Of("crypto") is { } crypto)
        {
            Add("seal+sign cost / bare primitives", Extra(crypto, "seal_cost_vs_bare_primitives"), "<= 1.2", v => v <= 1.2);
            Add("verify+open cost / bare primitives", Extra(crypto, "open_cost_vs_bare_primitives"), "<= 1.2", v => v <= 1.2);
        }
        if (Of("log") is { } log && Extra(log, "entries") >= 1_000_000)
        {
            Add("log verify of 1,000,000 entries, s", Extra(log, "verify_seconds"), "< 2", v => v < 2);
        }
        if (Of("match") is { } match && Extra(match, "subjects") >= 1_000_000)
        {
            Add("match p99 at half the maximum rate, 1,000,000 subjects, ms", Extra(match, "half_rate_p99_ms"), "< 5", v => v < 5);
        }
        // Every node process the run measured (the baseline's server is not a node).
        var rss = results.Where(r => r.Scenario != "baseline")
            .SelectMany(r => r.Extra.Where(e => e.Key.EndsWith("peak_rss_mb", StringComparison.Ordinal)).Select(e => e.Value))
            .DefaultIfEmpty(double.NaN).Max();
        Add("highest node peak RSS under load, MB", rss, "< 150", v => v < 150);
        return targets;
    }

    public static void Print(IReadOnlyList<Target> targets)
    {
        if (targets.Count == 0)
        {
            return;
        }
        var table = new Table().AddColumns("target (issue 8)", "this run", "bar", "met");
        foreach (var t in targets)
        {
            table.AddRow(Markup.Escape(t.Name), t.Measured.ToString(t.Measured < 10 ? "0.00" : t.Measured < 1000 ? "0.0" : "N0", System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(t.Bar), t.Met ? "[green]yes[/]" : "[red]no[/]");
        }
        AnsiConsole.Write(table);
    }
}
