namespace ChainGateway.Benchmarks;

/// <summary>One scenario's figures; what the table and the JSON file show.</summary>
internal sealed record Result(string Scenario, string Unit, double Throughput, double P50Ms, double P99Ms, double P999Ms,
    IReadOnlyDictionary<string, double> Extra)
{
    public static Result Skipped(string scenario, string why) =>
        new(scenario, "skipped: " + why, double.NaN, double.NaN, double.NaN, double.NaN, new Dictionary<string, double>());
}

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
