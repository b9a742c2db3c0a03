using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ChainGateway.Core.Federation;
using ChainGateway.Core.Rules;
using ChainGateway.Node.Configuration;
using ChainGateway.Node.Hosting;
using NSec.Cryptography;

namespace ChainGateway.Node.Federation;

/// <summary>
/// Makes a complete development federation in one directory: CA, per-organisation TLS certificate, key set,
/// JWT issuer key and node.json, the shared trust list, and the demo agreement signed by every party.
/// What <c>chaingw init</c> writes; tests use it with their own ports. DEVELOPMENT ONLY: private keys are
/// written unencrypted.
/// </summary>
public static class DevFederationBuilder
{
    public const string Readme = """
        # certs-dev — DEVELOPMENT ONLY

        Made by `chaingw init`. Every private key in this folder is public knowledge: never use any of it
        outside a developer's machine or a test. Production nodes get certificates from the federation CA, keys
        from their own HSM or key vault, and an agreement signed by the organisations themselves.

        - `ca.crt.pem`, `ca.key.pem` — the development federation CA (pinned by every node).
        - `trust-list.json` — the federation trust list: per organisation, its peer endpoint and key thumbprints.
        - `agreement.json`, `agreement.signatures.json` — the demo agreement, signed by every party.
        - `<organisation>/` — one node's config directory: `node.json`, `tls.crt.pem`/`tls.key.pem`
          (URI SAN urn:chaingateway:org:<id>), `keys.json` (Ed25519 signing, X25519 envelope, X25519 pseudonym),
          `jwt-issuer.key.pem`/`jwt-issuer.pub.pem` (the demo identity provider's ES256 key).

        Re-create with `dotnet run --project src/ChainGateway.Cli -- init --out certs-dev`.
        """;

    public static void Generate(string outDirectory, IReadOnlyList<string> organisations, int basePort, DateTimeOffset now) =>
        Generate(outDirectory, organisations, i => (basePort + i, basePort + 100 + i), now);

    /// <summary>Makes the federation with the ports <paramref name="ports"/> gives the i-th organisation.</summary>
    /// <param name="agreementJson">The agreement to sign instead of <see cref="DemoAgreement.Json"/> (tests with rules of their own).</param>
    public static void Generate(string outDirectory, IReadOnlyList<string> organisations, Func<int, (int Peer, int Local)> ports, DateTimeOffset now,
        string? agreementJson = null)
    {
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(organisations);
        Directory.CreateDirectory(outDirectory);
        using var ca = DevCertificates.CreateCa("ChainGateway Dev Federation CA", now);
        DevCertificates.WritePem(ca, Path.Combine(outDirectory, "ca.crt.pem"), Path.Combine(outDirectory, "ca.key.pem"));
        File.WriteAllText(Path.Combine(outDirectory, "README.md"), Readme + "\n");

        var trustList = new TrustListDocument { FederationId = DemoAgreement.FederationId, Organisations = [] };
        var keys = new List<OrganisationKeys>();
        try
        {
            for (var i = 0; i < organisations.Count; i++)
            {
                var id = organisations[i];
                var dir = Path.Combine(outDirectory, id);
                Directory.CreateDirectory(dir);
                using (var tls = DevCertificates.IssueOrganisationCertificate(ca, id, now))
                {
                    DevCertificates.WritePem(tls, Path.Combine(dir, "tls.crt.pem"), Path.Combine(dir, "tls.key.pem"));
                }
                var orgKeys = OrganisationKeys.Generate(id);
                keys.Add(orgKeys);
                orgKeys.Save(Path.Combine(dir, "keys.json"));
                using (var jwt = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                {
                    File.WriteAllText(Path.Combine(dir, "jwt-issuer.key.pem"), jwt.ExportPkcs8PrivateKeyPem() + "\n");
                    File.WriteAllText(Path.Combine(dir, "jwt-issuer.pub.pem"), jwt.ExportSubjectPublicKeyInfoPem() + "\n");
                }
                var (peerPort, localPort) = ports(i);
                var peer = $"127.0.0.1:{peerPort}";
                new NodeConfiguration
                {
                    Organisation = id,
                    Peer = new EndpointSettings { Listen = peer },
                    Local = new EndpointSettings { Listen = $"127.0.0.1:{localPort}" },
                    Store = new StoreSettings { Path = $"data/{id}.db" },
                    TrustList = "../trust-list.json",
                    Agreement = "../agreement.json",
                    AgreementSignatures = "../agreement.signatures.json",
                    FederationCa = "../ca.crt.pem",
                    Tls = new TlsSettings { Certificate = "tls.crt.pem", Key = "tls.key.pem" },
                    Keys = "keys.json",
                    Jwt = new JwtSettings { Issuer = $"https://idp.{id}.demo", Audience = $"chaingateway:{id}", SigningKey = "jwt-issuer.pub.pem" },
                }.Save(dir);
                trustList.Organisations.Add(new TrustListOrganisation
                {
                    Id = id,
                    DisplayName = DemoAgreement.DisplayNames.GetValueOrDefault(id, id),
                    PeerEndpoint = peer,
                    SigningKeys = [Listed(orgKeys.Signing.PublicKey, now)],
                    EnvelopeKeys = [Listed(orgKeys.Envelope.PublicKey, now)],
                    PseudonymKeys = [Listed(orgKeys.Pseudonym.PublicKey, now)],
                });
            }
            File.WriteAllBytes(Path.Combine(outDirectory, "trust-list.json"),
                JsonSerializer.SerializeToUtf8Bytes(trustList, JsonOptions));

            agreementJson ??= DemoAgreement.Json(organisations);
            File.WriteAllText(Path.Combine(outDirectory, "agreement.json"), agreementJson + "\n");
            var agreement = Agreement.Parse(agreementJson);
            File.WriteAllText(Path.Combine(outDirectory, "agreement.signatures.json"),
                AgreementSignatures.Create(agreement, keys.Select(k => (k.Organisation, k.SigningKeyId, k.Signing))));
        }
        finally
        {
            foreach (var key in keys)
            {
                key.Dispose();
            }
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private static TrustListKey Listed(PublicKey key, DateTimeOffset now)
    {
        var raw = key.Export(KeyBlobFormat.RawPublicKey);
        return new TrustListKey
        {
            KeyId = KeyThumbprint.Of(raw),
            PublicKey = Base64Url.EncodeToString(raw),
            NotBefore = now.AddDays(-1),
            NotAfter = now.AddYears(2),
        };
    }
}
