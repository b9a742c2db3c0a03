using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Authentication;
using ChainGateway.Contracts.V1;
using ChainGateway.Node.Configuration;
using ChainGateway.Node.Delivery;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Peer;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChainGateway.Benchmarks;

/// <summary>
/// The ceiling: raw unary gRPC over the same mutual TLS 1.3 between two Kestrel processes, with the same payload (a
/// real sealed envelope) and concurrency as the signal scenario, and a server that does nothing but answer.
/// </summary>
internal static class BaselineScenario
{
    public const string ServerVerb = "baseline-server";
    private const string Ready = "baseline server listening";

    public static async Task<Result> RunAsync(TimeSpan duration, int concurrency)
    {
        var directory = Path.Combine(Path.GetTempPath(), "chaingw-baseline-" + Guid.NewGuid().ToString("N")[..10]);
        Node.Federation.DevFederationBuilder.Generate(directory, Node.Federation.DemoAgreement.Organisations,
            _ => (BenchFederation.FreePort(), BenchFederation.FreePort()), TimeProvider.System.GetUtcNow());
        try
        {
            await using var server = await ChildProcess.StartAsync("baseline", typeof(BaselineScenario).Assembly.Location,
                [ServerVerb, Path.Combine(directory, "om")], Ready, Path.Combine(directory, "baseline.log")).ConfigureAwait(false);
            using var politie = NodeContext.Load(NodeConfiguration.Load(Path.Combine(directory, "politie")), TimeProvider.System);
            Assert(politie.TrustList.TryGet("om", out var om));
            var envelope = EnvelopeFactory.Create(politie, om, "politie-stalking-report", "StalkingReported", "risk-assessment", Priority.Routine,
                BenchFederation.SampleSignal()).Sealed.Envelope;
            using var channel = PeerClients.CreateChannel(om.PeerEndpoint, "om", politie);
            var client = new PeerService.PeerServiceClient(channel);
            await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => client.DeliverAsync(envelope).ResponseAsync)).ConfigureAwait(false);

            var cpu = server.CpuSeconds();
            var latencies = new ConcurrentBag<double>();
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                while (clock.Elapsed < duration)
                {
                    var started = Stopwatch.GetTimestamp();
                    await client.DeliverAsync(envelope).ConfigureAwait(false);
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            })).ConfigureAwait(false);
            var throughput = latencies.Count / clock.Elapsed.TotalSeconds;
            var (p50, p99, p999) = Percentiles.Of(latencies);
            return new Result("baseline", "calls/s", throughput, p50, p99, p999, new Dictionary<string, double>
            {
                ["server_cpu_s_per_1000"] = (server.CpuSeconds() - cpu) / latencies.Count * 1000,
                ["server_peak_rss_mb"] = server.PeakRssMb(),
                ["payload_bytes"] = envelope.CalculateSize(),
                ["concurrency"] = concurrency,
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The server side, run as its own process: Kestrel with the node's TLS settings and an answer-only PeerService.</summary>
    public static async Task<int> ServeAsync(string configDirectory)
    {
        using var context = NodeContext.Load(NodeConfiguration.Load(configDirectory), TimeProvider.System);
        var builder = WebApplication.CreateSlimBuilder(NodeRuntime.HostOptions(configDirectory));
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPEndPoint.Parse(context.Configuration.Peer.Listen), listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = context.TlsCertificate,
                SslProtocols = SslProtocols.Tls13,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (certificate, _, _) => FederationCertificates.ValidateClientCertificate(certificate, context.FederationCa),
            });
        }));
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<AnswerOnlyPeer>();
        await app.StartAsync().ConfigureAwait(false);
        Console.WriteLine(Ready);
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    private static void Assert(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("the generated federation lacks 'om'");
        }
    }

    private sealed class AnswerOnlyPeer : PeerService.PeerServiceBase
    {
        private static readonly Receipt Answer = new() { Body = ByteString.CopyFrom(new byte[120]), Signature = ByteString.CopyFrom(new byte[64]) };

        public override Task<Receipt> Deliver(Contracts.V1.Envelope request, ServerCallContext context) => Task.FromResult(Answer);
    }
}
