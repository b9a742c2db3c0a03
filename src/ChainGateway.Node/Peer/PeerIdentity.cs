using ChainGateway.Core.Errors;
using ChainGateway.Node.Hosting;
using Grpc.Core;

namespace ChainGateway.Node.Peer;

/// <summary>Maps the TLS client certificate of a peer call to a listed organisation (DESIGN.md §3).</summary>
internal static class PeerIdentity
{
    public static string Resolve(ServerCallContext context, NodeContext node)
    {
        var certificate = context.GetHttpContext().Connection.ClientCertificate;
        if (certificate is null)
        {
            ChainGatewayException.Throw(ReasonCode.Unauthenticated, "the peer API requires a client certificate");
        }
        var organisation = FederationCertificates.OrganisationOf(certificate);
        if (organisation is null)
        {
            ChainGatewayException.Throw(ReasonCode.UnknownPartner, "the client certificate names no organisation (urn:chaingateway:org:<id>)");
        }
        if (!node.TrustList.TryGet(organisation, out _))
        {
            ChainGatewayException.Throw(ReasonCode.UnknownPartner, $"'{organisation}' is not in the trust list",
                metadata: new Dictionary<string, string> { ["partner"] = organisation });
        }
        return organisation;
    }

    /// <summary>The listed organisation named by the HTTP request's client certificate, or null (for the tiles endpoint).</summary>
    public static string? ListedOrganisation(HttpContext http, NodeContext node)
    {
        var certificate = http.Connection.ClientCertificate;
        var organisation = certificate is null ? null : FederationCertificates.OrganisationOf(certificate);
        return organisation is not null && node.TrustList.TryGet(organisation, out _) ? organisation : null;
    }
}
