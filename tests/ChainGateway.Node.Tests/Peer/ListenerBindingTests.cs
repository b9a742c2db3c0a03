using System.Net.Security;
using System.Security.Authentication;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Peer;
using ChainGateway.Node.Tests.Infrastructure;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace ChainGateway.Node.Tests.Peer;

/// <summary>
/// The peer API answers only on the mutual-TLS port and the local API only on the local port, whatever Host
/// (:authority) a client sends: the port a connection arrived on decides, not a header the client chooses.
/// </summary>
public sealed class ListenerBindingTests : IAsyncLifetime
{
    private TestFederation federation = null!;
    private ChainNode reclassering = null!;
    private NodeContext politie = null!;

    public async Task InitializeAsync()
    {
        federation = TestFederation.Create();
        reclassering = await federation.StartAsync("reclassering");
        politie = NodeContext.Load(federation.Configuration("politie"), TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        politie.Dispose();
        await federation.DisposeAsync();
    }

    [Fact]
    public async Task OnePortForThePeerAndTheLocalApi_IsAConfigurationProblem_NotOneListenerForBoth()
    {
        var peer = federation.Configuration("politie").Peer.Listen;
        var port = System.Net.IPEndPoint.Parse(peer).Port;
        // Another address, the same port: the listeners are told apart by port.
        federation.EditNodeConfiguration("politie", json => json["local"]!["listen"] = $"127.0.0.2:{port}");

        var error = await Assert.ThrowsAsync<Configuration.NodeConfigurationException>(() => federation.StartAsync("politie"));

        Assert.Contains(error.Problems, p => p.StartsWith($"local.listen: port {port} is the peer endpoint's too", StringComparison.Ordinal));
    }

    /// <summary>Sends every request with <paramref name="authority"/> as its Host, whatever it connects to.</summary>
    private sealed class AuthorityHandler(string authority, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Host = authority;
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task PeerService_ThroughTheLocalPort_WithThePeerPortAsAuthority_IsNotThere_AndNothingIsLogged()
    {
        var configuration = reclassering.Context.Configuration;
        var before = (await reclassering.Store.ReadLogAsync(0, 1000, default)).Count;
        using var channel = GrpcChannel.ForAddress("http://" + configuration.Local.Listen,
            new GrpcChannelOptions { HttpHandler = new AuthorityHandler(configuration.Peer.Listen, new SocketsHttpHandler()) });
        var spoofing = new PeerService.PeerServiceClient(channel);
        var envelope = HandBuilt.Envelope(politie, "reclassering", "risk-for-supervision", "protection-order-enforcement",
            HandBuilt.RiskForSupervision(politie));

        for (var i = 0; i < 5; i++)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => spoofing.DeliverAsync(envelope).ResponseAsync);
            Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        }

        Assert.Equal(before, (await reclassering.Store.ReadLogAsync(0, 1000, default)).Count);
        // The local API on the same connection still answers: only the other listener's endpoints are refused.
        var health = new Health.HealthClient(GrpcChannel.ForAddress("http://" + configuration.Local.Listen));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
    }

    [Fact]
    public async Task LocalServices_ThroughThePeerPort_WithTheLocalPortAsAuthority_AreNotThere()
    {
        var configuration = reclassering.Context.Configuration;
        var tls = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [politie.TlsCertificate],
                EnabledSslProtocols = SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is System.Security.Cryptography.X509Certificates.X509Certificate2 c
                    && FederationCertificates.ChainsToFederationCa(c, politie.FederationCa),
            },
        };
        using var channel = GrpcChannel.ForAddress("https://" + configuration.Peer.Listen,
            new GrpcChannelOptions { HttpHandler = new AuthorityHandler(configuration.Local.Listen, tls) });

        var health = await Assert.ThrowsAsync<RpcException>(() => new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, health.StatusCode);
        var local = await Assert.ThrowsAsync<RpcException>(() => new LocalService.LocalServiceClient(channel)
            .GetDeliveryStatusAsync(new DeliveryStatusRequest { MessageId = Guid.CreateVersion7().ToString() }).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, local.StatusCode);

        // The peer API on that same connection does answer.
        var receipt = await new PeerService.PeerServiceClient(channel).DeliverAsync(HandBuilt.Envelope(politie, "reclassering",
            "risk-for-supervision", "protection-order-enforcement", HandBuilt.RiskForSupervision(politie)));
        Assert.False(receipt.Signature.IsEmpty);
        Assert.Contains(await reclassering.Store.ReadLogAsync(0, 1000, default), e => e.Event == LogEvent.Received);
    }
}
