// POST /log/add-cosignature on the peer endpoint: a witness returns its C2SP tlog-cosignature of our checkpoint.
//
// Body (text/plain): the cosigned checkpoint as a signed note — our checkpoint's note text, a blank line, and the
// witness's cosignature/v1 line (further lines are ignored). The witness is the organisation of the mutual-TLS
// client certificate; only a line with its own cosigner name chaingateway/<witness> is taken, and it must verify
// with one of the witness's listed Ed25519 keys over the text of a checkpoint we signed (same size, same text).
// Answers: 204 stored; 400 malformed; 403 no cosignature by the caller; 404 no such checkpoint of ours;
// 422 the cosignature does not verify.
using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Peer;
using Microsoft.AspNetCore.Http.Features;

namespace ChainGateway.Node.Witness;

internal static class CosignatureIntake
{
    private const int MaxBody = 64 * 1024;

    public static async Task<IResult> HandleAsync(HttpContext http, NodeContext node, INodeStore store, ILogger<SharingLogWitness> logger, CancellationToken cancellationToken)
    {
        var witness = PeerIdentity.ListedOrganisation(http, node)!;
        if (http.Request.ContentLength is > MaxBody)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }
        // A body without a Content-Length (HTTP/2 DATA frames, chunked) is bounded while it is read, not after.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = MaxBody;
        }
        string text;
        try
        {
            using var reader = new StreamReader(http.Request.Body);
            text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Refuse(logger, witness, $"the body is larger than {MaxBody} bytes", StatusCodes.Status413PayloadTooLarge);
        }
        if (text.Length > MaxBody || !Checkpoint.TryParse(text, out var cosigned) || !SignedNote.TryParse(text, out var note))
        {
            return Refuse(logger, witness, "the body is not a cosigned checkpoint note", StatusCodes.Status400BadRequest);
        }
        var ours = await store.ReadCheckpointAsync(cosigned.Size, cancellationToken).ConfigureAwait(false);
        if (ours is null || !string.Equals(SignedNote.Parse(ours).Body, note.Body, StringComparison.Ordinal))
        {
            return Refuse(logger, witness, $"no checkpoint of ours has this text (size {cosigned.Size})", StatusCodes.Status404NotFound);
        }
        var name = Checkpoint.OriginFor(witness);
        var line = text[(note.Body.Length + 1)..].Split('\n').FirstOrDefault(l => Cosignature.NameOf(l) == name);
        if (line is null || !node.TrustList.TryGet(witness, out var listed))
        {
            return Refuse(logger, witness, $"no cosignature line named {name}", StatusCodes.Status403Forbidden);
        }
        var now = node.Time.GetUtcNow();
        var timestamp = listed.SigningKeys.Where(k => k.IsValidAt(now))
            .Select(k => Cosignature.Verify(line, note.Body, name, k.Key)).FirstOrDefault(t => t is not null);
        // tlog-cosignature: verifiers MAY reject timestamps in the future; allow the federation's clock skew.
        if (timestamp is not { } seconds || seconds > (now + node.Limits.MaxClockSkew).ToUnixTimeSeconds())
        {
            return Refuse(logger, witness, "the cosignature does not verify with the witness's listed key (or is dated in the future)", StatusCodes.Status422UnprocessableEntity);
        }
        await store.AddCosignatureAsync(new StoredCosignature(cosigned.Size, witness, seconds, line + "\n"), now, cancellationToken).ConfigureAwait(false);
        NodeLog.CosignatureStored(logger, witness, cosigned.Size);
        return Results.NoContent();
    }

    private static IResult Refuse(ILogger logger, string witness, string detail, int status)
    {
        NodeLog.CosignatureRefused(logger, witness, detail);
        return Results.Text(detail + "\n", statusCode: status);
    }
}
