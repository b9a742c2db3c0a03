using System.Collections.Concurrent;
using System.Security.Authentication;
using ChainGateway.Contracts.V1;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Peer;
using Grpc.Net.Client;

namespace ChainGateway.Node.Delivery;

/// <summary>
/// One gRPC channel per partner, over mutual TLS 1.3: this node presents its federation certificate and accepts
/// only a server certificate that chains to the pinned CA and names the partner it meant to call.
/// </summary>
public sealed class PeerClients(NodeContext node) : IDisposable
{
    private readonly ConcurrentDictionary<string, (GrpcChannel Channel, PeerService.PeerServiceClient Client)> channels = new(StringComparer.Ordinal);

    public PeerService.PeerServiceClient For(string partnerId) => channels.GetOrAdd(partnerId, Create).Client;

    public void Dispose()
    {
        foreach (var (channel, _) in channels.Values)
        {
            channel.Dispose();
        }
    }

    private (GrpcChannel, PeerService.PeerServiceClient) Create(string partnerId)
    {
        if (!node.TrustList.TryGet(partnerId, out var partner))
        {
            throw new InvalidOperationException($"'{partnerId}' is not in the trust list");
        }
        var channel = CreateChannel(partner.PeerEndpoint, partnerId, node);
        return (channel, new PeerService.PeerServiceClient(channel));
    }

    /// <summary>A mutual-TLS channel to a partner's peer endpoint (host:port).</summary>
    public static GrpcChannel CreateChannel(string endpoint, string partnerId, NodeContext node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            SslOptions =
            {
                ClientCertificates = [node.TlsCertificate],
                EnabledSslProtocols = SslProtocols.Tls13,
                RemoteCertificateValidationCallback = FederationCertificates.ServerValidator(node.FederationCa, partnerId),
            },
        };
        return GrpcChannel.ForAddress("https://" + endpoint, new GrpcChannelOptions
        {
            HttpHandler = handler,
            // Reconnect soon after a partner restarts; the delivery queue has its own, persisted backoff.
            InitialReconnectBackoff = TimeSpan.FromMilliseconds(100),
            MaxReconnectBackoff = TimeSpan.FromSeconds(2),
            MaxReceiveMessageSize = 1024 * 1024,
            MaxSendMessageSize = 1024 * 1024,
        });
    }
}
