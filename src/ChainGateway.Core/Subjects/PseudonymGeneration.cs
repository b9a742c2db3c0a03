using NSec.Cryptography;

namespace ChainGateway.Core.Subjects;

/// <summary>
/// One pair of pseudonym keys between this node and a partner, with the window in which both are valid. During a
/// key rotation (trust-list notBefore/notAfter overlap) a pair has two or more generations; pseudonyms of each
/// are indexed, and an asker sends one candidate per generation, so matches work through the overlap.
/// </summary>
public sealed record PseudonymGeneration(string Partner, string OwnKeyId, string PartnerKeyId, PublicKey PartnerKey,
    DateTimeOffset? NotBefore, DateTimeOffset? NotAfter)
{
    /// <summary>
    /// "own key id prefix:partner key id prefix" (11 characters, 66 bits, of each thumbprint), as stored beside each
    /// indexed pseudonym: short, because the index holds one per subject and partner.
    /// </summary>
    public string Id => Prefix(OwnKeyId) + ":" + Prefix(PartnerKeyId);

    private static string Prefix(string keyId) => keyId.Length <= 11 ? keyId : keyId[..11];

    public bool IsValidAt(DateTimeOffset now) => (NotBefore is null || now >= NotBefore) && (NotAfter is null || now < NotAfter);

    /// <summary>Valid now, or listed to become valid later (so its index is built before it is needed).</summary>
    public bool IsActiveAt(DateTimeOffset now) => NotAfter is null || now < NotAfter;
}
