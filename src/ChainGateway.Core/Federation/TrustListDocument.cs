using System.Text.Json.Serialization;

namespace ChainGateway.Core.Federation;

/// <summary>The JSON shape of the trust list file (see docs/ and certs-dev/trust-list.json).</summary>
public sealed class TrustListDocument
{
    [JsonPropertyName("federationId")]
    public string? FederationId { get; set; }

    [JsonPropertyName("organisations")]
    public List<TrustListOrganisation>? Organisations { get; set; }
}

public sealed class TrustListOrganisation
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("displayName")]
    public string? DisplayName { get; set; }

    [JsonPropertyName("peerEndpoint")]
    public string? PeerEndpoint { get; set; }

    [JsonPropertyName("signingKeys")]
    public List<TrustListKey>? SigningKeys { get; set; }

    [JsonPropertyName("envelopeKeys")]
    public List<TrustListKey>? EnvelopeKeys { get; set; }

    [JsonPropertyName("pseudonymKeys")]
    public List<TrustListKey>? PseudonymKeys { get; set; }
}

public sealed class TrustListKey
{
    [JsonPropertyName("keyId")]
    public string? KeyId { get; set; }

    [JsonPropertyName("publicKey")]
    public string PublicKey { get; set; } = string.Empty;

    [JsonPropertyName("notBefore")]
    public DateTimeOffset? NotBefore { get; set; }

    [JsonPropertyName("notAfter")]
    public DateTimeOffset? NotAfter { get; set; }
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TrustListDocument))]
[JsonSerializable(typeof(OrganisationKeys.KeyFile))]
internal sealed partial class FederationJsonContext : JsonSerializerContext;
