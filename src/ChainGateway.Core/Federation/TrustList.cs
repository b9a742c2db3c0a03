using System.Buffers.Text;
using System.Collections.Frozen;
using System.Text.Json;
using NSec.Cryptography;

namespace ChainGateway.Core.Federation;

/// <summary>
/// The federation trust list (DESIGN.md §3): a file, the same at every node, naming each partner with its
/// peer endpoint and public keys. Keys carry notBefore/notAfter so they rotate with overlap.
/// </summary>
public sealed class TrustList
{
    private readonly FrozenDictionary<string, Partner> partners;

    private TrustList(string federationId, IEnumerable<Partner> partners)
    {
        FederationId = federationId;
        this.partners = partners.ToFrozenDictionary(p => p.Id, StringComparer.Ordinal);
    }

    public string FederationId { get; }

    public IEnumerable<Partner> Partners => partners.Values;

    public static TrustList Parse(ReadOnlySpan<byte> json, string source)
    {
        var document = JsonSerializer.Deserialize(json, FederationJsonContext.Default.TrustListDocument)
            ?? throw new InvalidDataException($"{source}: empty trust list");
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(document.FederationId))
        {
            problems.Add("federationId is missing");
        }
        var list = new List<Partner>();
        foreach (var org in document.Organisations ?? [])
        {
            if (string.IsNullOrWhiteSpace(org.Id))
            {
                problems.Add("an organisation has no id");
                continue;
            }
            if (list.Any(p => p.Id == org.Id))
            {
                problems.Add($"organisation '{org.Id}' is listed twice");
            }
            list.Add(new Partner(
                org.Id,
                org.DisplayName ?? org.Id,
                org.PeerEndpoint ?? string.Empty,
                ImportKeys(SignatureAlgorithm.Ed25519, org.SigningKeys, $"{org.Id}.signingKeys", problems),
                ImportKeys(KeyAgreementAlgorithm.X25519, org.EnvelopeKeys, $"{org.Id}.envelopeKeys", problems),
                ImportKeys(KeyAgreementAlgorithm.X25519, org.PseudonymKeys, $"{org.Id}.pseudonymKeys", problems)));
        }
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"{source}: {string.Join("; ", problems)}");
        }
        return new TrustList(document.FederationId!, list);
    }

    public static TrustList Load(string path) => Parse(File.ReadAllBytes(path), path);

    public bool TryGet(string organisation, out Partner partner) =>
        partners.TryGetValue(organisation, out partner!);

    private static List<PartnerKey> ImportKeys(Algorithm algorithm, List<TrustListKey>? keys, string where, List<string> problems)
    {
        var result = new List<PartnerKey>();
        foreach (var key in keys ?? [])
        {
            try
            {
                var raw = Base64Url.DecodeFromChars(key.PublicKey);
                var imported = PublicKey.Import(algorithm, raw, KeyBlobFormat.RawPublicKey);
                var thumbprint = KeyThumbprint.Of(raw);
                if (key.KeyId is not null && key.KeyId != thumbprint)
                {
                    problems.Add($"{where}: keyId {key.KeyId} is not the thumbprint of its key ({thumbprint})");
                }
                result.Add(new PartnerKey(thumbprint, imported, key.NotBefore, key.NotAfter));
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                problems.Add($"{where}: '{key.PublicKey}' is not a raw public key in base64url");
            }
        }
        if (result.Count == 0)
        {
            problems.Add($"{where}: no key listed");
        }
        return result;
    }
}

/// <summary>One organisation of the federation as the trust list names it.</summary>
public sealed record Partner(
    string Id,
    string DisplayName,
    string PeerEndpoint,
    IReadOnlyList<PartnerKey> SigningKeys,
    IReadOnlyList<PartnerKey> EnvelopeKeys,
    IReadOnlyList<PartnerKey> PseudonymKeys)
{
    /// <summary>The signing key with this thumbprint, if it is valid at <paramref name="now"/>.</summary>
    public PartnerKey? FindSigningKey(string keyId, DateTimeOffset now) =>
        SigningKeys.FirstOrDefault(k => k.KeyId == keyId && k.IsValidAt(now));

    /// <summary>The newest envelope key valid now: what a sender seals to.</summary>
    public PartnerKey? CurrentEnvelopeKey(DateTimeOffset now) => Current(EnvelopeKeys, now);

    /// <summary>The newest pseudonym key valid now.</summary>
    public PartnerKey? CurrentPseudonymKey(DateTimeOffset now) => Current(PseudonymKeys, now);

    private static PartnerKey? Current(IReadOnlyList<PartnerKey> keys, DateTimeOffset now) =>
        keys.Where(k => k.IsValidAt(now)).MaxBy(k => k.NotBefore ?? DateTimeOffset.MinValue);
}

/// <summary>A listed public key, referenced by thumbprint, with its validity window.</summary>
public sealed record PartnerKey(string KeyId, PublicKey Key, DateTimeOffset? NotBefore, DateTimeOffset? NotAfter)
{
    public bool IsValidAt(DateTimeOffset now) =>
        (NotBefore is null || now >= NotBefore) && (NotAfter is null || now < NotAfter);
}
