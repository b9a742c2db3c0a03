using System.Globalization;
using System.Text.Json;
using ChainGateway.Benchmarks;
using Spectre.Console;

// The performance harness (docs/performance.md). Scenarios: baseline, signal, priority, crypto, log, match, all.
// Binds only to 127.0.0.1, bounded in time; --smoke runs each for about a second (the test suite does that).
if (args is [BaselineScenario.ServerVerb, var configDirectory])
{
    return await BaselineScenario.ServeAsync(configDirectory);
}
var scenario = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
var smoke = args.Contains("--smoke");
var outDirectory = Option("--out") ?? "bench-results";
var seconds = double.Parse(Option("--seconds") ?? (smoke ? "1" : "15"), CultureInfo.InvariantCulture);
var concurrency = int.Parse(Option("--concurrency") ?? (smoke ? "4" : "64"), CultureInfo.InvariantCulture);
var duration = TimeSpan.FromSeconds(seconds);
string[] known = ["baseline", "signal", "priority", "crypto", "log", "match"];
var selected = scenario == "all" ? known : known.Contains(scenario) ? [scenario] : null;
if (selected is null)
{
    Console.Error.WriteLine($"unknown scenario '{scenario}'; one of: {string.Join(", ", known)}, all");
    return 2;
}

var results = new List<Result>();
double primitivesSeal = double.NaN, primitivesOpen = double.NaN, primitivesReceipt = double.NaN;
foreach (var name in selected)
{
    AnsiConsole.MarkupLine($"[grey]bench: {name} ({duration.TotalSeconds:F0} s, concurrency {concurrency})[/]");
    results.Add(name switch
    {
        "crypto" => CryptoScenario.Run(smoke ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1), out primitivesSeal, out primitivesOpen, out primitivesReceipt),
        "baseline" => await BaselineScenario.RunAsync(duration, concurrency),
        "signal" => await SignalScenario.RunAsync(duration, concurrency),
        "priority" => await PriorityScenario.RunAsync(duration, concurrency),
        "log" => await LogScenario.RunAsync(int.Parse(Option("--log-entries") ?? (smoke ? "2000" : "1000000"), CultureInfo.InvariantCulture), 256),
        _ => await MatchScenario.RunAsync(int.Parse(Option("--subjects") ?? (smoke ? "2000" : "1000000"), CultureInfo.InvariantCulture), duration, concurrency),
    });
}

var table = new Table().AddColumns("scenario", "throughput", "unit", "p50 ms", "p99 ms", "p999 ms");
foreach (var r in results)
{
    table.AddRow(r.Scenario, F(r.Throughput), Markup.Escape(r.Unit), F(r.P50Ms), F(r.P99Ms), F(r.P999Ms));
}
AnsiConsole.Write(table);
foreach (var r in results.Where(r => r.Extra.Count > 0))
{
    Console.WriteLine($"{r.Scenario}: {string.Join(", ", r.Extra.Select(e => $"{e.Key}={F(e.Value)}"))}");
}
foreach (var r in results.Where(r => r.Stages.Count > 0))
{
    // The nodes' own stage durations (docs/operations.md): where the time of this scenario's signals went.
    var stages = new Table().Title($"{r.Scenario}: where the time goes (the nodes' own metrics; ms)")
        .AddColumns("phase", "node", "stage", "count", "mean", "p50", "p99");
    foreach (var s in r.Stages)
    {
        stages.AddRow(Markup.Escape(s.Phase), s.Node, Markup.Escape(s.Stage), s.Count.ToString(CultureInfo.InvariantCulture), F(s.Mean), F(s.P50), F(s.P99));
    }
    AnsiConsole.Write(stages);
}

var ratios = new Dictionary<string, double>();
var signal = results.FirstOrDefault(r => r.Scenario == "signal");
var baseline = results.FirstOrDefault(r => r.Scenario == "baseline");
var crypto = results.FirstOrDefault(r => r.Scenario == "crypto");
if (signal is not null && baseline is not null)
{
    ratios["signal/baseline"] = signal.Throughput / baseline.Throughput;
}
if (crypto is not null)
{
    // Three baselines (CryptoScenario): NSec key objects (the original definition), bare primitives, and bare
    // primitives plus the HKDF schedule and SHA-256 that RFC 9180 and DESIGN.md §4 require per envelope.
    ratios["crypto seal cost / nsec primitives"] = crypto.Extra["seal_cost_vs_primitives"];
    ratios["crypto open cost / nsec primitives"] = crypto.Extra["open_cost_vs_primitives"];
    ratios["crypto seal cost / bare primitives"] = crypto.Extra["seal_cost_vs_bare_primitives"];
    ratios["crypto open cost / bare primitives"] = crypto.Extra["open_cost_vs_bare_primitives"];
    ratios["crypto seal cost / bare primitives + hkdf + sha256"] = crypto.Extra["seal_cost_vs_bare_primitives_and_format"];
    ratios["crypto open cost / bare primitives + hkdf + sha256"] = crypto.Extra["open_cost_vs_bare_primitives_and_format"];
}
if (signal is not null && !double.IsNaN(primitivesSeal))
{
    // The crypto floor (issue 8): what the cores could do doing nothing but each signal's bare public-key and AEAD
    // work: the envelope's seal (X25519 keygen + agreement, AEAD, Ed25519 sign) and open (verify, agreement, AEAD),
    // and the signed receipt (a second sign and verify).
    var floor = Environment.ProcessorCount / ((1 / primitivesSeal) + (1 / primitivesOpen) + (1 / primitivesReceipt));
    ratios["crypto floor signals/s"] = floor;
    ratios["signal/crypto floor"] = signal.Throughput / floor;
}
foreach (var (name, value) in ratios)
{
    Console.WriteLine($"ratio: {name} = {F(value)}");
}

var targets = Targets.Evaluate(results, ratios);
Targets.Print(targets);

Directory.CreateDirectory(outDirectory);
var file = Path.Combine(outDirectory, $"bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
{
    machine = new { cores = Environment.ProcessorCount, os = Environment.OSVersion.ToString(), runtime = Environment.Version.ToString() },
    settings = new { seconds, concurrency, smoke },
    results,
    ratios,
    targets,
}, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
Console.WriteLine($"bench: results written to {file}");
return 0;

string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

static string F(double value) => double.IsNaN(value) ? "-" : value.ToString(value >= 100 ? "F0" : "F2", CultureInfo.InvariantCulture);
