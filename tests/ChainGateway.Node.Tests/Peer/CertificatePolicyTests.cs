using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ChainGateway.Core.Errors;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Errors;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Peer;
using ChainGateway.Node.Tests.Infrastructure;
using Grpc.Core;

namespace ChainGateway.Node.Tests.Peer;

/// <summary>
/// A federation CA may issue more than peer certificates: a client certificate must allow client authentication, and
/// it names exactly one organisation.
/// </summary>
public sealed class CertificatePolicyTests
{
    private static X509Certificate2 Issue(TestFederation federation, string[] organisations, params string[] purposes)
    {
        using var ca = X509Certificate2.CreateFromPemFile(Path.Combine(federation.Directory, "ca.crt.pem"), Path.Combine(federation.Directory, "ca.key.pem"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={organisations[0]}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var organisation in organisations)
        {
            san.AddUri(new Uri(FederationCertificates.OrganisationUriPrefix + organisation));
        }
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. purposes.Select(p => new Oid(p))], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(ca, now.AddDays(-1), now.AddDays(30), RandomNumberGenerator.GetBytes(12));
        using var withKey = issued.CopyWithPrivateKey(key);
        return HandBuilt.Usable(withKey);
    }

    [Fact]
    public async Task CertificateForServerAuthenticationOnly_IsRefusedAsAClientCertificate_AtTheHandshake()
    {
        await using var federation = TestFederation.Create();
        var reclassering = await federation.StartAsync("reclassering");
        using var politie = NodeContext.Load(federation.Configuration("politie"), TimeProvider.System);
        using var serverOnly = Issue(federation, ["politie"], "1.3.6.1.5.5.7.3.1");
        var client = HandBuilt.PeerClient(reclassering.Context.Configuration.Peer.Listen, serverOnly, politie.FederationCa, out var channel);
        using (channel)
        {
            var envelope = HandBuilt.Envelope(politie, "reclassering", "risk-for-supervision", "protection-order-enforcement", HandBuilt.RiskForSupervision(politie));
            var error = await Assert.ThrowsAsync<RpcException>(() => client.DeliverAsync(envelope).ResponseAsync);
            Assert.Null(ErrorMapping.ReasonOf(error));
        }
        Assert.Contains(federation.Logs.Events, e => e.EventId.Name == "ClientCertificateRefused");
        Assert.DoesNotContain(await reclassering.Store.ReadLogAsync(0, 100, default), e => e.Event is LogEvent.Received or LogEvent.Rejected);
    }

    [Fact]
    public async Task CertificateNamingTwoOrganisations_SpeaksForNeither()
    {
        await using var federation = TestFederation.Create();
        var reclassering = await federation.StartAsync("reclassering");
        using var politie = NodeContext.Load(federation.Configuration("politie"), TimeProvider.System);
        using var both = Issue(federation, ["politie", "om"], "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        Assert.Null(FederationCertificates.OrganisationOf(both));
        var client = HandBuilt.PeerClient(reclassering.Context.Configuration.Peer.Listen, both, politie.FederationCa, out var channel);
        using (channel)
        {
            var envelope = HandBuilt.Envelope(politie, "reclassering", "risk-for-supervision", "protection-order-enforcement", HandBuilt.RiskForSupervision(politie));
            var error = await Assert.ThrowsAsync<RpcException>(() => client.DeliverAsync(envelope).ResponseAsync);
            Assert.Equal(ReasonCode.UnknownPartner, ErrorMapping.ReasonOf(error));
        }
        Assert.DoesNotContain(await reclassering.Store.ReadLogAsync(0, 100, default), e => e.Event == LogEvent.Received);
    }
}
