namespace ChainGateway.Node.Hosting;

/// <summary>
/// Whether the operator asked for OTLP export: one of the OpenTelemetry specification's endpoint variables is set
/// (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, or a signal's own <c>OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_ENDPOINT</c>). The
/// exporter then reads the rest of the standard variables itself (protocol, headers, interval, temporality). Without
/// any of them the node exports nothing: the exporter's default endpoint (localhost:4317) is not a decision an operator made.
/// </summary>
internal static class OtlpExport
{
    private static readonly string[] EndpointVariables =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
    ];

    public static bool IsConfigured(IConfiguration configuration) =>
        EndpointVariables.Any(name => !string.IsNullOrWhiteSpace(configuration[name]));
}
