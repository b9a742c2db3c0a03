using System.Globalization;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ChainGateway.Benchmarks;

/// <summary>
/// The node processes' own stage durations (docs/operations.md), received as an OpenTelemetry collector would: OTLP over
/// HTTP with protobuf bodies, each node exporting to <c>/&lt;node&gt;/v1/metrics</c> every 500 ms (cumulative). A scenario
/// takes a snapshot before and after a phase; the difference is what the phase cost at each stage. Only the histogram
/// fields it needs are read from the body (opentelemetry-proto metrics.proto field numbers); traces and log events are
/// answered and dropped.
/// </summary>
internal sealed class NodeMetrics : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly Lock gate = new();
    private readonly Dictionary<string, Snapshot> latest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(DateTimeOffset After, TaskCompletionSource<Snapshot> Waiter)>> waiters = new(StringComparer.Ordinal);

    private NodeMetrics(WebApplication app) => this.app = app;

    public string BaseUrl { get; private set; } = "";

    public static async Task<NodeMetrics> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();
        var metrics = new NodeMetrics(app);
        app.MapPost("/{node}/v1/{signal}", metrics.ReceiveAsync);
        await app.StartAsync().ConfigureAwait(false);
        metrics.BaseUrl = app.Urls.First();
        return metrics;
    }

    /// <summary>The environment that makes a node export its metrics here (and nothing else).</summary>
    public IReadOnlyDictionary<string, string> EnvironmentFor(string node) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"{BaseUrl}/{node}",
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        ["OTEL_SERVICE_NAME"] = node,
        // No spans and no log events exported: only the metrics' cost in the figures.
        ["OTEL_TRACES_SAMPLER"] = "always_off",
        ["Logging__OpenTelemetry__LogLevel__Default"] = "None",
    };

    /// <summary>The node's metrics as of its latest export.</summary>
    public Snapshot Latest(string node)
    {
        lock (gate)
        {
            return latest.GetValueOrDefault(node) ?? Snapshot.Empty;
        }
    }

    /// <summary>The node's first export that starts after now: it covers everything the node did before this call.</summary>
    public async Task<Snapshot> NextAsync(string node)
    {
        var waiter = new TaskCompletionSource<Snapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (!waiters.TryGetValue(node, out var list))
            {
                waiters[node] = list = [];
            }
            list.Add((DateTimeOffset.UtcNow, waiter));
        }
        try
        {
            return await waiter.Task.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return Latest(node);
        }
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync().ConfigureAwait(false);

    private async Task ReceiveAsync(HttpContext context, string node, string signal)
    {
        var received = DateTimeOffset.UtcNow;
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body).ConfigureAwait(false);
        if (signal == "metrics")
        {
            var snapshot = Snapshot.Parse(body.ToArray());
            lock (gate)
            {
                latest[node] = snapshot;
                if (waiters.TryGetValue(node, out var list))
                {
                    // An export that began before the waiter asked may not hold what the node did just before: wait for the next.
                    foreach (var w in list.Where(w => w.After < received - TimeSpan.FromMilliseconds(100)).ToList())
                    {
                        w.Waiter.TrySetResult(snapshot);
                        list.Remove(w);
                    }
                }
            }
        }
        // An empty Export*ServiceResponse: everything accepted.
        context.Response.ContentType = "application/x-protobuf";
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>One cumulative histogram series: a metric with one set of attributes.</summary>
    internal sealed record Series(ulong Count, double Sum, double[] Bounds, ulong[] Buckets);

    /// <summary>Every histogram series of one export, by metric name and attributes (<c>name{key=value,…}</c>).</summary>
    internal sealed class Snapshot(Dictionary<string, Series> series)
    {
        public static readonly Snapshot Empty = new([]);

        public IReadOnlyDictionary<string, Series> Series => series;

        /// <summary>One stage's figures between two snapshots: the series of <paramref name="metric"/> whose attributes
        /// contain every <paramref name="attributes"/> pair, summed.</summary>
        public Stage Since(Snapshot before, string metric, params string[] attributes)
        {
            ulong count = 0;
            double sum = 0;
            ulong[]? buckets = null;
            double[] bounds = [];
            foreach (var (key, now) in series)
            {
                if (!key.StartsWith(metric + "{", StringComparison.Ordinal) || !attributes.All(a => key.Contains(a, StringComparison.Ordinal)))
                {
                    continue;
                }
                var then = before.Series.GetValueOrDefault(key);
                count += now.Count - (then?.Count ?? 0);
                sum += now.Sum - (then?.Sum ?? 0);
                bounds = now.Bounds;
                buckets ??= new ulong[now.Buckets.Length];
                for (var i = 0; i < now.Buckets.Length && i < buckets.Length; i++)
                {
                    buckets[i] += now.Buckets[i] - (then is not null && i < then.Buckets.Length ? then.Buckets[i] : 0);
                }
            }
            return new Stage(count, count == 0 ? double.NaN : sum / count, Quantile(bounds, buckets, count, 0.50), Quantile(bounds, buckets, count, 0.99));
        }

        /// <summary>Linear within the bucket the quantile falls in (a bucket of 1-2-5 steps: at most that far off).</summary>
        private static double Quantile(double[] bounds, ulong[]? buckets, ulong count, double q)
        {
            if (buckets is null || count == 0)
            {
                return double.NaN;
            }
            var rank = q * count;
            double seen = 0;
            for (var i = 0; i < buckets.Length; i++)
            {
                if (seen + buckets[i] >= rank && buckets[i] > 0)
                {
                    var low = i == 0 ? 0 : bounds[i - 1];
                    var high = i < bounds.Length ? bounds[i] : low * 2;
                    return low + ((high - low) * (rank - seen) / buckets[i]);
                }
                seen += buckets[i];
            }
            return bounds.Length == 0 ? double.NaN : bounds[^1];
        }

        public static Snapshot Parse(byte[] export)
        {
            var result = new Dictionary<string, Series>(StringComparer.Ordinal);
            // ExportMetricsServiceRequest.resource_metrics = 1 → ResourceMetrics.scope_metrics = 2 → ScopeMetrics.metrics = 2.
            foreach (var resource in Messages(export, 1))
            {
                foreach (var scope in Messages(resource, 2))
                {
                    foreach (var metric in Messages(scope, 2))
                    {
                        ParseMetric(metric, result);
                    }
                }
            }
            return new Snapshot(result);
        }

        private static void ParseMetric(byte[] metric, Dictionary<string, Series> result)
        {
            var name = "";
            var histograms = new List<byte[]>();
            var input = new CodedInputStream(metric);
            for (uint tag; (tag = input.ReadTag()) != 0;)
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 1: name = input.ReadString(); break; // Metric.name
                    case 9: histograms.Add(input.ReadBytes().ToByteArray()); break; // Metric.histogram
                    default: input.SkipLastField(); break;
                }
            }
            foreach (var point in histograms.SelectMany(h => Messages(h, 1))) // Histogram.data_points = 1
            {
                var (key, series) = ParsePoint(point);
                result[$"{name}{{{key}}}"] = series;
            }
        }

        private static (string Key, Series Series) ParsePoint(byte[] point)
        {
            var attributes = new List<string>();
            ulong count = 0;
            double sum = 0;
            var buckets = new List<ulong>();
            var bounds = new List<double>();
            var input = new CodedInputStream(point);
            for (uint tag; (tag = input.ReadTag()) != 0;)
            {
                var packed = WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited;
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 9: attributes.Add(Attribute(input.ReadBytes().ToByteArray())); break; // attributes
                    case 4: count = input.ReadFixed64(); break; // count
                    case 5: sum = input.ReadDouble(); break; // sum
                    case 6 when packed: buckets.AddRange(Packed(input.ReadBytes(), (CodedInputStream s) => s.ReadFixed64())); break;
                    case 6: buckets.Add(input.ReadFixed64()); break; // bucket_counts
                    case 7 when packed: bounds.AddRange(Packed(input.ReadBytes(), (CodedInputStream s) => s.ReadDouble())); break;
                    case 7: bounds.Add(input.ReadDouble()); break; // explicit_bounds
                    default: input.SkipLastField(); break;
                }
            }
            attributes.Sort(StringComparer.Ordinal);
            return (string.Join(',', attributes), new Series(count, sum, [.. bounds], [.. buckets]));
        }

        private static List<T> Packed<T>(ByteString bytes, Func<CodedInputStream, T> read)
        {
            var values = new List<T>();
            var input = new CodedInputStream(bytes.ToByteArray());
            while (!input.IsAtEnd)
            {
                values.Add(read(input));
            }
            return values;
        }

        /// <summary>KeyValue (key = 1, value = 2: AnyValue with string_value = 1 or int_value = 3) as <c>key=value</c>.</summary>
        private static string Attribute(byte[] keyValue)
        {
            string key = "", value = "";
            var input = new CodedInputStream(keyValue);
            for (uint tag; (tag = input.ReadTag()) != 0;)
            {
                if (WireFormat.GetTagFieldNumber(tag) == 1)
                {
                    key = input.ReadString();
                }
                else if (WireFormat.GetTagFieldNumber(tag) == 2)
                {
                    var any = new CodedInputStream(input.ReadBytes().ToByteArray());
                    for (uint t; (t = any.ReadTag()) != 0;)
                    {
                        value = WireFormat.GetTagFieldNumber(t) switch
                        {
                            1 => any.ReadString(),
                            3 => any.ReadInt64().ToString(CultureInfo.InvariantCulture),
                            _ => Skip(any),
                        };
                    }
                }
                else
                {
                    input.SkipLastField();
                }
            }
            return $"{key}={value}";
        }

        private static string Skip(CodedInputStream input)
        {
            input.SkipLastField();
            return "";
        }

        /// <summary>Every length-delimited field <paramref name="field"/> of a message.</summary>
        private static List<byte[]> Messages(byte[] message, int field)
        {
            var found = new List<byte[]>();
            var input = new CodedInputStream(message);
            for (uint tag; (tag = input.ReadTag()) != 0;)
            {
                if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                {
                    found.Add(input.ReadBytes().ToByteArray());
                }
                else
                {
                    input.SkipLastField();
                }
            }
            return found;
        }
    }

    /// <summary>A stage's count, mean, p50 and p99 in seconds.</summary>
    internal sealed record Stage(ulong Count, double Mean, double P50, double P99);
}
