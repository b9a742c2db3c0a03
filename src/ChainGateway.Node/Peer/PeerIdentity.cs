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
}
