using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Peer;

namespace ChainGateway.Node.Tiles;

/// <summary>
/// Reads partners' sharing logs over C2SP tlog-tiles (TileEndpoints on their peer endpoint) and returns
/// cosignatures to them: HTTP/2 over mutual TLS 1.3, presenting this node's federation certificate and accepting
/// only a server certificate that chains to the pinned CA and names the partner meant.
/// </summary>
public sealed class PartnerLogClient(NodeContext node) : IDisposable
{
    private readonly ConcurrentDictionary<string, HttpClient> clients = new(StringComparer.Ordinal);

    /// <summary>The partner's latest checkpoint note (with any cosignatures), unverified.</summary>
    public async Task<string> GetCheckpointAsync(string partner, CancellationToken cancellationToken)
    {
        using var response = await For(partner).GetAsync(new Uri(TileEndpoints.Prefix + "/checkpoint", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A hash tile or entry bundle of the partner's log; untrusted until checked against a verified root.</summary>
    public async Task<byte[]> GetTileAsync(string partner, TilePath tile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tile);
        using var response = await For(partner).GetAsync(new Uri($"{TileEndpoints.Prefix}/{tile}", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A reader of the partner's hash tiles for a tree of <paramref name="treeSize"/> (a verified checkpoint's size).</summary>
    public TileHashReader HashReader(string partner, long treeSize) =>
        new(treeSize, (tile, cancellationToken) => GetTileAsync(partner, tile, cancellationToken));

    /// <summary>Posts the cosigned checkpoint (the partner's note with our cosignature line) to the partner's add-cosignature.</summary>
    public async Task<HttpStatusCode> PostCosignatureAsync(string partner, string cosignedNote, CancellationToken cancellationToken)
    {
        using var content = new StringContent(cosignedNote, Encoding.UTF8, "text/plain");
        using var response = await For(partner).PostAsync(new Uri(TileEndpoints.Prefix + "/add-cosignature", UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
        return response.StatusCode;
    }

    public void Dispose()
    {
        foreach (var client in clients.Values)
        {
            client.Dispose();
        }
    }

    private HttpClient For(string partner) => clients.GetOrAdd(partner, p =>
    {
        if (!node.TrustList.TryGet(p, out var listed))
        {
            throw new InvalidOperationException($"'{p}' is not in the trust list");
        }
        return Create(listed.PeerEndpoint, p, node.TlsCertificate, node.FederationCa);
    });

    /// <summary>
    /// An HTTP/2 mutual-TLS client for a partner's peer endpoint (host:port), presenting <paramref name="clientCertificate"/>;
    /// it asks for gzip-encoded entry bundles and decodes them unless <paramref name="decompression"/> says otherwise.
    /// </summary>
    public static HttpClient Create(string endpoint, string partner, X509Certificate2 clientCertificate, X509Certificate2 federationCa,
        DecompressionMethods decompression = DecompressionMethods.GZip)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AutomaticDecompression = decompression,
            SslOptions =
            {
                ClientCertificates = [clientCertificate],
                EnabledSslProtocols = SslProtocols.Tls13,
                RemoteCertificateValidationCallback = FederationCertificates.ServerValidator(federationCa, partner),
            },
        };
        return new HttpClient(handler)
        {
            BaseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"https://{endpoint}/")),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }
}
