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
    /// <summary>"own key id:partner key id", as stored beside each indexed pseudonym.</summary>
    public string Id => OwnKeyId + ":" + PartnerKeyId;

    public bool IsValidAt(DateTimeOffset now) => (NotBefore is null || now >= NotBefore) && (NotAfter is null || now < NotAfter);

    /// <summary>Valid now, or listed to become valid later (so its index is built before it is needed).</summary>
    public bool IsActiveAt(DateTimeOffset now) => NotAfter is null || now < NotAfter;
}
