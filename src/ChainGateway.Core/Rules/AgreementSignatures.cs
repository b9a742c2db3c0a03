using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ChainGateway.Core.Federation;
using NSec.Cryptography;

namespace ChainGateway.Core.Rules;

/// <summary>
/// The agreement takes effect only when every party has signed it (DESIGN.md §5, as FSC contracts do): each
/// party's Ed25519 signature over the 32-byte agreement hash, with a signing key the trust list names for that party
/// and that is valid now. Stored beside the agreement as
/// <c>{ "agreementHash": "&lt;hex&gt;", "signatures": [ { "organisation", "keyId", "signature" (base64url) } ] }</c>.
/// </summary>
public static class AgreementSignatures
{
    public static string Create(Agreement agreement, IEnumerable<(string Organisation, string KeyId, Key Key)> signers)
    {
        ArgumentNullException.ThrowIfNull(agreement);
        var hash = agreement.Hash();
        var file = new SignaturesFile
        {
            AgreementHash = Convert.ToHexStringLower(hash),
            Signatures = signers.Select(s => new SignatureEntry
            {
                Organisation = s.Organisation,
                KeyId = s.KeyId,
                Signature = Base64Url.EncodeToString(SignatureAlgorithm.Ed25519.Sign(s.Key, hash)),
            }).ToList(),
        };
        return JsonSerializer.Serialize(file, SignaturesJson.Default.SignaturesFile);
    }

    /// <summary>Throws <see cref="AgreementNotInForceException"/> naming every party without a valid signature.</summary>
    public static void EnsureInForce(Agreement agreement, string signaturesJson, TrustList trustList, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(agreement);
        ArgumentNullException.ThrowIfNull(trustList);
        var hash = agreement.Hash();
        var file = JsonSerializer.Deserialize(signaturesJson, SignaturesJson.Default.SignaturesFile) ?? new SignaturesFile();
        var signed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in file.Signatures)
        {
            if (!trustList.TryGet(entry.Organisation, out var party))
            {
                continue;
            }
            var key = party.FindSigningKey(entry.KeyId, now);
            byte[] signature;
            try
            {
                signature = Base64Url.DecodeFromChars(entry.Signature);
            }
            catch (FormatException)
            {
                continue;
            }
            if (key is not null && SignatureAlgorithm.Ed25519.Verify(key.Key, hash, signature))
            {
                signed.Add(entry.Organisation);
            }
        }
        var missing = agreement.Parties.Where(p => !signed.Contains(p)).ToList();
        if (missing.Count > 0)
        {
            throw new AgreementNotInForceException(missing,
                $"the agreement (sha256 {Convert.ToHexStringLower(hash)}) is not in force: no valid signature of {string.Join(", ", missing.Select(m => $"'{m}'"))}");
        }
    }

    internal sealed class SignaturesFile
    {
        [JsonPropertyName("agreementHash")]
        public string AgreementHash { get; set; } = string.Empty;

        [JsonPropertyName("signatures")]
        public List<SignatureEntry> Signatures { get; set; } = [];
    }

    internal sealed class SignatureEntry
    {
        [JsonPropertyName("organisation")]
        public string Organisation { get; set; } = string.Empty;

        [JsonPropertyName("keyId")]
        public string KeyId { get; set; } = string.Empty;

        [JsonPropertyName("signature")]
        public string Signature { get; set; } = string.Empty;
    }
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(AgreementSignatures.SignaturesFile))]
internal sealed partial class SignaturesJson : JsonSerializerContext;
