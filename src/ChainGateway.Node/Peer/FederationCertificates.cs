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

    /// <summary>True when <paramref name="certificate"/> chains to <paramref name="federationCa"/> and is valid now.</summary>
    public static bool ChainsToFederationCa(X509Certificate2 certificate, X509Certificate2 federationCa, X509KeyUsageFlags? requiredUsage = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var chain = new X509Chain();
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

    /// <summary>The organisation id of the certificate's <c>urn:chaingateway:org:</c> URI SAN, or null.</summary>
    public static string? OrganisationOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
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
                        return uri[OrganisationUriPrefix.Length..];
                    }
                }
                else
                {
                    names.ReadEncodedValue();
                }
            }
        }
        return null;
    }

    /// <summary>Server-side client-certificate check for Kestrel: chain to the pinned CA only.</summary>
    public static bool ValidateClientCertificate(X509Certificate2 certificate, X509Certificate2 federationCa) =>
        ChainsToFederationCa(certificate, federationCa);

    /// <summary>
    /// Client-side server-certificate check: chains to the pinned CA AND names the partner we meant to call,
    /// whatever the host name (peers are identified by organisation, not by DNS).
    /// </summary>
    public static RemoteCertificateValidationCallback ServerValidator(X509Certificate2 federationCa, string expectedOrganisation) =>
        (_, certificate, _, _) => certificate is X509Certificate2 cert
            && ChainsToFederationCa(cert, federationCa)
            && OrganisationOf(cert) == expectedOrganisation;
}
