namespace ChainGateway.Benchmarks;

/// <summary>One scenario's figures; what the table and the JSON file show.</summary>
internal sealed record Result(string Scenario, string Unit, double Throughput, double P50Ms, double P99Ms, double P999Ms,
    IReadOnlyDictionary<string, double> Extra)
{
    /// <summary>Where the time went, stage by stage, as the node processes measured it (their OTLP metrics).</summary>
    public IReadOnlyList<StageFigure> Stages { get; init; } = [];

    public static Result Skipped(string scenario, string why) =>
        new(scenario, "skipped: " + why, double.NaN, double.NaN, double.NaN, double.NaN, new Dictionary<string, double>());
}

/// <summary>One stage of one node in one phase: how many, and their mean, p50 and p99 (ms; writes for a batch size).</summary>
internal sealed record StageFigure(string Phase, string Node, string Stage, ulong Count, double Mean, double P50, double P99);

internal static class Percentiles
{
    public static (double P50, double P99, double P999) Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return (double.NaN, double.NaN, double.NaN);
        }
        double At(double p) => sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1))];
        return (At(0.50), At(0.99), At(0.999));
    }
}

/// <summary>Open-loop load: calls started at a fixed rate whatever the latency, for the latency at a realistic load.</summary>
internal static class OpenLoop
{
    /// <summary>Starts <paramref name="one"/>(n) at <paramref name="perSecond"/> for <paramref name="duration"/>; returns when every call ended.</summary>
    public static async Task RunAsync(double perSecond, TimeSpan duration, Func<int, Task> one)
    {
        var inFlight = new List<Task>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var count = 0;
        while (clock.Elapsed < duration)
        {
            var due = TimeSpan.FromSeconds(count / perSecond) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due).ConfigureAwait(false);
            }
            var n = count++;
            inFlight.Add(Task.Run(() => one(n)));
        }
        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }
}
