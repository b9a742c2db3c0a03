// C2SP tlog-tiles (c2sp.org/tlog-tiles) on the peer endpoint, read-only, for federation partners only:
//
//   GET  /log/checkpoint                 the latest signed checkpoint, with the cosignatures it has gathered
//   GET  /log/tile/<L>/<N>[.p/<W>]        hash tiles (RFC 9162 hashes, 32 bytes each)
//   GET  /log/tile/entries/<N>[.p/<W>]    entry bundles: be16 length || LogEntryEncoding v1 bytes, per entry; only
//                                         the entries naming the reader, any other withheld as a zero length (its
//                                         leaf hash is in the level-0 hash tile); Content-Encoding: gzip when accepted
//   POST /log/add-cosignature             a witness returns its cosignature of our checkpoint (SharingLogWitness)
//
// The peer endpoint is mutual TLS 1.3 with a client certificate chained to the federation CA; here the
// certificate must also name a listed organisation (as for the gRPC peer service), else 403. Only tiles the
// latest checkpoint covers are served (a wider partial tile is 404), so a partner never sees unsigned state.
using System.IO.Compression;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Peer;
using ChainGateway.Node.Witness;

namespace ChainGateway.Node.Tiles;

/// <summary>Maps the sharing log's tiles and the cosignature intake on the peer host.</summary>
internal static class TileEndpoints
{
    /// <summary>The URL prefix of the sharing log on the peer endpoint.</summary>
    public const string Prefix = "/log";

    public static void MapSharingLogTiles(this WebApplication app, int peerPort)
    {
        var group = app.MapGroup(Prefix).OnListener(peerPort).AddEndpointFilter(async (context, next) =>
        {
            var node = context.HttpContext.RequestServices.GetRequiredService<NodeContext>();
            if (PeerIdentity.ListedOrganisation(context.HttpContext, node) is null)
            {
                return Results.Text("the client certificate names no listed organisation\n", statusCode: StatusCodes.Status403Forbidden);
            }
            return await next(context).ConfigureAwait(false);
        });

        group.MapGet("/checkpoint", async (SharingLogCheckpoints checkpoints, INodeStore store, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (await checkpoints.LatestAsync(cancellationToken).ConfigureAwait(false) is not { } latest)
            {
                return Results.NotFound();
            }
            // tlog-cosignature: cosignature lines are note signatures, appended after the log's own.
            var cosignatures = await store.ReadCosignaturesAsync(latest.Size, cancellationToken).ConfigureAwait(false);
            http.Response.Headers.CacheControl = "no-store";
            return Results.Text(latest.Note + string.Concat(cosignatures.Select(c => c.Line)), "text/plain; charset=utf-8");
        });

        group.MapGet("/tile/{**path}", async (string path, SharingLogCheckpoints checkpoints, INodeStore store, HttpContext http, CancellationToken cancellationToken) =>
        {
            if (!TilePath.TryParse(path, out var tile))
            {
                return Results.NotFound();
            }
            // The filter above let in only a listed organisation's certificate.
            var reader = PeerIdentity.ListedOrganisation(http, http.RequestServices.GetRequiredService<NodeContext>())!;
            var bytes = tile.IsEntries
                ? await EntryBundles.ReadAsync(tile, reader, checkpoints, store, cancellationToken).ConfigureAwait(false)
                : await checkpoints.ReadHashTileAsync(tile, cancellationToken).ConfigureAwait(false);
            if (bytes is null)
            {
                return Results.NotFound();
            }
            // tlog-tiles: tiles are immutable. An entry bundle is the reader's own view of its tile (the entries that name
            // it), so no shared cache may keep it.
            http.Response.Headers.CacheControl = tile.IsEntries ? "private, max-age=31536000, immutable" : "public, max-age=31536000, immutable";
            if (tile.IsEntries)
            {
                // tlog-tiles: entry bundles SHOULD be compressed at the HTTP layer; gzip when the client accepts it.
                http.Response.Headers.Vary = "Accept-Encoding";
                if (AcceptsGzip(http.Request))
                {
                    http.Response.Headers.ContentEncoding = "gzip";
                    bytes = Gzip(bytes);
                }
            }
            return Results.Bytes(bytes, "application/octet-stream");
        });

        group.MapPost("/add-cosignature", CosignatureIntake.HandleAsync);
    }

    private static bool AcceptsGzip(HttpRequest request) =>
        request.GetTypedHeaders().AcceptEncoding.Any(e =>
            e.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && e.Quality is not 0);

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream(bytes.Length / 4);
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(bytes);
        }
        return output.ToArray();
    }
}
