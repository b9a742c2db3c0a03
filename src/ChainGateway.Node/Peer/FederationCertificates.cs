using System.Formats.Asn1;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ChainGateway.Node.Peer;

/// <summary>
/// Peer identity (DESIGN.md §3): a certificate is accepted only when it chains to the pinned federation CA
/// (custom root trust, never the system store), and its URI SAN <c>urn:chaingateway:org:&lt;id&gt;</c> names
/// the organisation.
/// </summary>
public static class FederationCertificates
{
    public const string OrganisationUriPrefix = "urn:chaingateway:org:";

    /// <summary>RFC 5280 id-kp-serverAuth and id-kp-clientAuth.</summary>
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1", ClientAuth = "1.3.6.1.5.5.7.3.2";

    /// <summary>
    /// True when <paramref name="certificate"/> chains to <paramref name="federationCa"/>, is valid now and, when
    /// <paramref name="purpose"/> is given, may serve it (an extended key usage in the chain that leaves it out refuses it).
    /// </summary>
    public static bool ChainsToFederationCa(X509Certificate2 certificate, X509Certificate2 federationCa, X509KeyUsageFlags? requiredUsage = null,
        string? purpose = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
        if (purpose is not null)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(purpose));
        }
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(federationCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (!chain.Build(certificate))
        {
            return false;
        }
        var root = chain.ChainElements[^1].Certificate;
        if (!root.RawDataMemory.Span.SequenceEqual(federationCa.RawDataMemory.Span))
        {
            return false;
        }
        return requiredUsage is null || certificate.Extensions.OfType<X509KeyUsageExtension>().All(k => (k.KeyUsages & requiredUsage) != 0);
    }

    /// <summary>
    /// The organisation id of the certificate's <c>urn:chaingateway:org:</c> URI SAN, or null when it has none, or more
    /// than one (a certificate names one organisation; with two, which one it speaks for would depend on their order).
    /// </summary>
    public static string? OrganisationOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        string? found = null;
        foreach (var extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != "2.5.29.17")
            {
                continue;
            }
            // RFC 5280 §4.2.1.6: GeneralNames; uniformResourceIdentifier is [6] IA5String.
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            var names = reader.ReadSequence();
            while (names.HasData)
            {
                var tag = names.PeekTag();
                if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 6)
                {
                    var uri = names.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6));
                    if (uri.StartsWith(OrganisationUriPrefix, StringComparison.Ordinal))
                    {
                        if (found is not null)
                        {
                            return null;
                        }
                        found = uri[OrganisationUriPrefix.Length..];
                    }
                }
                else
                {
                    names.ReadEncodedValue();
                }
            }
        }
        return found;
    }

    /// <summary>Server-side client-certificate check for Kestrel: chain to the pinned CA, usable for client authentication.</summary>
    public static bool ValidateClientCertificate(X509Certificate2 certificate, X509Certificate2 federationCa) =>
        ChainsToFederationCa(certificate, federationCa, purpose: ClientAuth);

    /// <summary>
    /// Client-side server-certificate check: chains to the pinned CA AND names the partner we meant to call,
    /// whatever the host name (peers are identified by organisation, not by DNS).
    /// </summary>
    public static RemoteCertificateValidationCallback ServerValidator(X509Certificate2 federationCa, string expectedOrganisation) =>
        (_, certificate, _, _) => certificate is X509Certificate2 cert
            && ChainsToFederationCa(cert, federationCa, purpose: ServerAuth)
            && OrganisationOf(cert) == expectedOrganisation;
}
