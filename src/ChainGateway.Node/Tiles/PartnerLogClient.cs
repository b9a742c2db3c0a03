// Reading a partner's log (C2SP tlog-tiles) as a client: whatever the partner answers is bounded while it arrives,
// never buffered first and measured after, so a partner serving an endless body or a gzip bomb cannot exhaust this
// node's memory (the witness reads every partner every round; `log reconcile` reads the whole log).
//
//   checkpoint     at most MaxCheckpointBytes; asked for without compression
//   hash tile      exactly what its path names: 32·W bytes (RFC 9162 hashes); asked for without compression
//   entry bundle   at most W·(2 + 65,535) bytes once decompressed (a uint16 length and at most
//                  LogEntryEncoding.MaxEncodedLength bytes per entry); asked for gzip, as tlog-tiles recommends
//
// A longer answer, or an encoded one that was not asked for, is an InvalidDataException (as a malformed tile is:
// the witness refuses, reconcile lists a difference); it is refused as soon as the bound is passed or a
// Content-Length announces it. An answer, headers and body, has the client's 30 s to arrive.
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
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
    /// <summary>
    /// The longest checkpoint answer read: far above a real one (a note of about 200 bytes and one cosignature line of
    /// about 130 bytes per witness), and a cap on what a partner can make this node read each witness round.
    /// </summary>
    public const int MaxCheckpointBytes = 64 * 1024;

    /// <summary>How long an answer, headers and body, may take (HttpClient.Timeout covers only the headers of a streamed read).</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, HttpClient> clients = new(StringComparer.Ordinal);

    /// <summary>The partner's latest checkpoint note (with any cosignatures), unverified.</summary>
    /// <exception cref="InvalidDataException">The answer is longer than <see cref="MaxCheckpointBytes"/>, or encoded.</exception>
    public async Task<string> GetCheckpointAsync(string partner, CancellationToken cancellationToken)
    {
        var bytes = await GetBoundedAsync(partner, TileEndpoints.Prefix + "/checkpoint", "the checkpoint", MaxCheckpointBytes, gzip: false, cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>A hash tile or entry bundle of the partner's log; untrusted until checked against a verified root.</summary>
    /// <exception cref="InvalidDataException">The answer is longer than the tile's path allows (<see cref="MaxTileBytes"/>), or encoded when it was not asked to be.</exception>
    public Task<byte[]> GetTileAsync(string partner, TilePath tile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tile);
        return GetBoundedAsync(partner, $"{TileEndpoints.Prefix}/{tile}", tile.ToString(), MaxTileBytes(tile), gzip: tile.IsEntries, cancellationToken);
    }

    /// <summary>
    /// The most bytes <paramref name="tile"/> can have: a hash tile exactly 32·W (tlog-tiles), an entry bundle W entries of
    /// at most <see cref="LogEntryEncoding.MaxEncodedLength"/> bytes, each after its uint16 length.
    /// </summary>
    public static long MaxTileBytes(TilePath tile)
    {
        ArgumentNullException.ThrowIfNull(tile);
        return tile.IsEntries ? (long)tile.Width * (2 + LogEntryEncoding.MaxEncodedLength) : (long)tile.Width * MerkleTree.HashSize;
    }

    /// <summary>A reader of the partner's hash tiles for a tree of <paramref name="treeSize"/> (a verified checkpoint's size).</summary>
    public TileHashReader HashReader(string partner, long treeSize) =>
        new(treeSize, (tile, cancellationToken) => GetTileAsync(partner, tile, cancellationToken));

    /// <summary>Posts the cosigned checkpoint (the partner's note with our cosignature line) to the partner's add-cosignature.</summary>
    public async Task<HttpStatusCode> PostCosignatureAsync(string partner, string cosignedNote, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(TileEndpoints.Prefix + "/add-cosignature", UriKind.Relative))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new StringContent(cosignedNote, Encoding.UTF8, "text/plain"),
        };
        // Only the status counts: the body of the answer is not read (a buffered read would take whatever length came).
        using var response = await For(partner).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
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
    /// An HTTP/2 mutual-TLS client for a partner's peer endpoint (host:port), presenting <paramref name="clientCertificate"/>.
    /// It decodes no answer by itself: automatic decompression would ask every request for gzip and inflate whatever came
    /// back without a bound, so the reads above ask for gzip only where they bound what they inflate.
    /// </summary>
    public static HttpClient Create(string endpoint, string partner, X509Certificate2 clientCertificate, X509Certificate2 federationCa)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
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
            Timeout = AnswerTimeout,
        };
    }

    // GET path, its body read to at most limit bytes (decompressed, when gzip is asked for and served); what is longer
    // is refused once it passes the limit, not after it has all arrived.
    private async Task<byte[]> GetBoundedAsync(string partner, string path, string what, long limit, bool gzip, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(AnswerTimeout);
        try
        {
            return await ReadAnswerAsync(partner, path, what, limit, gzip, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // As HttpClient.Timeout reports it, so callers tell a slow partner (an outage) from their own cancellation.
            throw new TaskCanceledException(string.Create(CultureInfo.InvariantCulture, $"{what}: no whole answer within {AnswerTimeout.TotalSeconds} s"),
                new TimeoutException(e.Message, e));
        }
    }

    private async Task<byte[]> ReadAnswerAsync(string partner, string path, string what, long limit, bool gzip, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (gzip)
        {
            request.Headers.AcceptEncoding.ParseAdd("gzip");
        }
        using var response = await For(partner).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var encodings = response.Content.Headers.ContentEncoding;
        var gzipped = gzip && encodings.Count == 1 && string.Equals(encodings.First(), "gzip", StringComparison.OrdinalIgnoreCase);
        if (encodings.Count > 0 && !gzipped)
        {
            // Not inflated: an encoding not asked for is no answer to the request (the value is left out of the message, so
            // a partner cannot make each answer a new one to alert on by changing it).
            throw new InvalidDataException($"{what}: served with a Content-Encoding that was not asked for");
        }
        // gzip adds at most 5 bytes per 64 KiB block and an 18-byte frame to what it cannot compress.
        var wireLimit = gzipped ? limit + (limit / 1024) + 64 : limit;
        if (response.Content.Headers.ContentLength is { } announced && announced > wireLimit)
        {
            throw TooLong(what, wireLimit);
        }
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var wire = await ReadAtMostAsync(stream, wireLimit, cancellationToken).ConfigureAwait(false) ?? throw TooLong(what, wireLimit);
            if (!gzipped)
            {
                return wire;
            }
            // The compressed bytes are bounded too: empty deflate blocks inflate to nothing, and could otherwise go on for ever.
            var inflating = new GZipStream(new MemoryStream(wire), CompressionMode.Decompress);
            await using (inflating.ConfigureAwait(false))
            {
                byte[]? inflated;
                try
                {
                    inflated = await ReadAtMostAsync(inflating, limit, cancellationToken).ConfigureAwait(false);
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"{what}: not valid gzip ({e.Message})", e);
                }
                return inflated ?? throw TooLong(what, limit);
            }
        }
    }

    /// <summary>The stream's bytes to its end, or null as soon as they are more than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadAtMostAsync(Stream stream, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[(int)Math.Min(limit + 1, 64 * 1024)];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static InvalidDataException TooLong(string what, long limit) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{what}: longer than the {limit} bytes it can be"));
}
