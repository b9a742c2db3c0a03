using System.Net;
using System.Security.Authentication;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;
using ChainGateway.Core.Telemetry;
using ChainGateway.Node.Auth;
using ChainGateway.Node.Cases;
using ChainGateway.Node.Configuration;
using ChainGateway.Node.Delivery;
using ChainGateway.Node.Errors;
using ChainGateway.Node.Local;
using ChainGateway.Node.Match;
using ChainGateway.Node.Peer;
using ChainGateway.Node.Tiles;
using ChainGateway.Node.Witness;
using ChainGateway.Storage.Sqlite;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using OpenTelemetry;

namespace ChainGateway.Node.Hosting;

/// <summary>
/// A running ChainGateway node: the peer endpoint (gRPC over mutual TLS 1.3, client certificate required and
/// checked against the pinned federation CA) and the local endpoint (gRPC with JWT bearer auth, health and
/// reflection), on one Kestrel host with the store and the outbox worker.
/// </summary>
public sealed class ChainNode : IAsyncDisposable
{
    private readonly WebApplication app;

    private ChainNode(WebApplication app, NodeContext context, SqliteNodeStore store)
    {
        this.app = app;
        Context = context;
        Store = store;
    }

    public NodeContext Context { get; }

    public SqliteNodeStore Store { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>Loads the configuration directory, opens the store and starts listening.</summary>
    public static async Task<ChainNode> StartAsync(string configDirectory, string? dataDirectory = null, TimeProvider? time = null,
        Action<ILoggingBuilder>? logging = null, Action<IServiceCollection>? configureServices = null, Func<string, string?>? environment = null,
        CancellationToken cancellationToken = default)
    {
        time ??= TimeProvider.System;
        var configuration = NodeConfiguration.Load(configDirectory);
        var context = NodeContext.Load(configuration, time);
        var storePath = dataDirectory is null
            ? configuration.Resolve(configuration.Store.Path)
            : Path.Combine(dataDirectory, Path.GetFileName(configuration.Store.Path));
        Directory.CreateDirectory(Path.GetDirectoryName(storePath)!);
        var store = new SqliteNodeStore(storePath);
        await store.InitializeAsync(cancellationToken).ConfigureAwait(false);

        var builder = WebApplication.CreateSlimBuilder(NodeRuntime.HostOptions(configDirectory));
        builder.Logging.ClearProviders();
        // Per-request framework logs cost more than a signal; the sharing log is the record of every exchange.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        if (logging is null)
        {
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        }
        else
        {
            logging(builder.Logging);
        }
        var peerEndpoint = IPEndPoint.Parse(configuration.Peer.Listen);
        var localEndpoint = IPEndPoint.Parse(configuration.Local.Listen);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(peerEndpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = context.TlsCertificate,
                    SslProtocols = SslProtocols.Tls13,
                    ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                    CheckCertificateRevocation = false,
                    ClientCertificateValidation = (certificate, _, _) =>
                    {
                        if (FederationCertificates.ValidateClientCertificate(certificate, context.FederationCa))
                        {
                            return true;
                        }
                        NodeLog.ClientCertificateRefused(kestrel.ApplicationServices.GetRequiredService<ILogger<ChainNode>>(),
                            certificate.Subject, certificate.Issuer);
                        return false;
                    },
                });
            });
            kestrel.Listen(localEndpoint, listen => listen.Protocols = HttpProtocols.Http2);
        });

        var services = builder.Services;
        services.AddSingleton(time);
        services.AddSingleton(context);
        services.AddSingleton<INodeStore>(store);
        services.AddSingleton<InboxNotifier>();
        services.AddSingleton<DeliveryNotifier>();
        services.AddSingleton<OutboxTrigger>();
        services.AddSingleton<PeerClients>();
        services.AddSingleton<SendPipeline>();
        services.AddSingleton(new JwtAuthenticator(configuration.Jwt, File.ReadAllText(configuration.Resolve(configuration.Jwt.SigningKey)), time));
        services.AddSingleton<LocalAuthInterceptor>();
        services.AddHostedService<OutboxWorker>();
        services.AddSingleton<MeasureReminderTrigger>();
        services.AddHostedService<MeasureReminderWorker>();
        services.AddSingleton<CaseOverviews>();
        services.AddHostedService<RetentionWorker>();
        services.AddSingleton<SharingLogCheckpoints>();
        services.AddHostedService(sp => sp.GetRequiredService<SharingLogCheckpoints>());
        services.AddSingleton<PartnerLogClient>();
        services.AddSingleton<SharingLogWitness>();
        services.AddHostedService(sp => sp.GetRequiredService<SharingLogWitness>());
        services.AddSubjectMatching(Path.GetDirectoryName(storePath)!, store);
        services.AddGrpc(options =>
        {
            options.Interceptors.Add<ErrorInterceptor>();
            options.MaxReceiveMessageSize = Math.Max(4 * configuration.Limits.MaxEnvelopeBytes, 1024 * 1024);
        }).AddServiceOptions<LocalGrpcService>(options => options.Interceptors.Add<LocalAuthInterceptor>())
            // The peer API reads what a partner sends into memory before anything checks it: twice the envelope limit, so
            // a somewhat oversized envelope still gets TOO_LARGE with its ErrorInfo, while a partner cannot make this node
            // buffer and parse a megabyte per stream (RESOURCE_EXHAUSTED from the transport then).
            .AddServiceOptions<PeerGrpcService>(options => options.MaxReceiveMessageSize = 2 * configuration.Limits.MaxEnvelopeBytes);
        services.AddGrpcReflection();
        // Traces and metrics under the one source and meter 'ChainGateway', exported over OTLP when the operator names a
        // collector with the standard variables (docs/operations.md); without one, nothing is sent anywhere.
        var telemetry = services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(ChainGatewayTelemetry.Name))
            .WithMetrics(metrics => metrics.AddMeter(ChainGatewayTelemetry.Name));
        if (OtlpExport.IsConfigured(builder.Configuration))
        {
            telemetry.UseOtlpExporter();
        }
        services.AddSingleton<OwnKeyMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<OwnKeyMonitor>());
        services.AddGrpcHealthChecks()
            .AddCheck("store", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy())
            .AddCheck<OwnKeyMonitor>("keys");

        // Last, so a host (or a test observing what crosses the wire) can add to or override any of the above.
        configureServices?.Invoke(services);
        var app = builder.Build();
        app.UseListenerRouting();
        app.MapGrpcService<PeerGrpcService>().OnListener(peerEndpoint.Port);
        app.MapSharingLogTiles(peerEndpoint.Port);
        app.MapGrpcService<LocalGrpcService>().OnListener(localEndpoint.Port);
        app.MapGrpcHealthChecksService().OnListener(localEndpoint.Port);
        app.MapGrpcReflectionService().OnListener(localEndpoint.Port);

        await store.AppendLogAsync(new LogEntry
        {
            Time = time.GetUtcNow(),
            Event = LogEvent.AgreementLoaded,
            Outcome = "ok",
            Detail = $"agreement {context.Agreement.FederationId} v{context.Agreement.Version} sha256:{Convert.ToHexStringLower(context.AgreementHash)}",
        }, cancellationToken).ConfigureAwait(false);
        // A rule whose retention the agreement in force shortened applies to what is stored already (DESIGN.md §5).
        var shortened = await store.ShortenRetentionAsync(context.AgreementHash,
            context.Agreement.Rules.ToDictionary(r => r.Id, r => r.RetentionDays, StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var logger = app.Services.GetRequiredService<ILogger<ChainNode>>();
        if (shortened > 0)
        {
            NodeLog.RetentionShortened(logger, shortened);
        }
        if (!IPAddress.IsLoopback(localEndpoint.Address))
        {
            // The local API has no TLS of its own: off the host, bearer tokens and BSNs would cross the network in the clear.
            NodeLog.LocalApiNotLoopback(logger, configuration.Local.Listen);
        }
        NodeLog.NodeStarted(logger, context.Organisation, configuration.Peer.Listen, configuration.Local.Listen, Convert.ToHexStringLower(context.AgreementHash));
        if (NodeRuntime.NotSet(environment ?? System.Environment.GetEnvironmentVariable) is { Count: > 0 } notSet)
        {
            NodeLog.RuntimeSettingsNotSet(logger, string.Join(", ", notSet));
        }
        return new ChainNode(app, context, store);
    }

    /// <summary>Signs a checkpoint of the sharing log now (if it grew); returns the note.</summary>
    public Task<string?> CheckpointAsync(CancellationToken cancellationToken = default) =>
        app.Services.GetRequiredService<SharingLogCheckpoints>().CheckpointAsync(cancellationToken);

    /// <summary>Witnesses every reachable partner's sharing log now (as the background witness does at its interval).</summary>
    public Task<IReadOnlyList<WitnessResult>> WitnessAsync(CancellationToken cancellationToken = default) =>
        app.Services.GetRequiredService<SharingLogWitness>().WitnessAllAsync(cancellationToken);

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // A last checkpoint on a graceful stop, so everything stored is covered by a signed root.
        await CheckpointAsync().ConfigureAwait(false);
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
        Context.Dispose();
    }
}
