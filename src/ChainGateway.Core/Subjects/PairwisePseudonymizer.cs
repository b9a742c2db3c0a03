using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ChainGateway.Core.Federation;
using NSec.Cryptography;

namespace ChainGateway.Core.Subjects;

/// <summary>
/// Pairwise pseudonyms (DESIGN.md §6), a wire agreement:
/// <code>
/// K_AB      = HKDF-SHA256(ikm  = X25519(pseudonym key A, pseudonym key B),
///                         salt = UTF-8(federation id),
///                         info = "chaingateway/v1/pseudonym" || 0x00 || min(idA, idB) || 0x00 || max(idA, idB), L = 32)
/// pseudonym = HMAC-SHA256(K_AB, UTF-8("bsn:" || 9 digits))   or   HMAC-SHA256(K_AB, UTF-8("local:" || id))
/// </code>
/// ids are compared ordinally, so A and B compute the same K_AB; no third party can; two pairs never share one.
/// K_AB is cached per (partner, partner key thumbprint), so a rotated partner key gets a fresh entry.
/// </summary>
public sealed class PairwisePseudonymizer(Key ownPseudonymKey, string ownOrganisationId, string federationId)
{
    public const int Size = 32;
    private readonly ConcurrentDictionary<(string Partner, string KeyId), byte[]> pairKeys = new();

    public byte[] Pseudonym(string partnerId, PublicKey partnerPseudonymKey, SubjectId subject)
    {
        ArgumentNullException.ThrowIfNull(partnerPseudonymKey);
        ArgumentNullException.ThrowIfNull(subject);
        var key = pairKeys.GetOrAdd((partnerId, KeyThumbprint.Of(partnerPseudonymKey)), _ => PairKey(partnerId, partnerPseudonymKey));
        return HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(subject.ToCanonicalString()));
    }

    private byte[] PairKey(string partnerId, PublicKey partnerKey)
    {
        var parameters = new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using var shared = KeyAgreementAlgorithm.X25519.Agree(ownPseudonymKey, partnerKey, in parameters)
            ?? throw new CryptographicException($"the pseudonym key of '{partnerId}' is of small order");
        var ikm = shared.Export(SharedSecretBlobFormat.RawSharedSecret);
        try
        {
            var (low, high) = string.CompareOrdinal(ownOrganisationId, partnerId) <= 0
                ? (ownOrganisationId, partnerId)
                : (partnerId, ownOrganisationId);
            var info = Encoding.UTF8.GetBytes($"chaingateway/v1/pseudonym\0{low}\0{high}");
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, Size, Encoding.UTF8.GetBytes(federationId), info);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ikm);
        }
    }
}
