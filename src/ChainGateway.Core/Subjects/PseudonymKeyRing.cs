using ChainGateway.Core.Federation;
using NSec.Cryptography;

namespace ChainGateway.Core.Subjects;

/// <summary>
/// The pseudonym keys this node holds, as the trust list dates them (DESIGN.md §3, §6). Generations with a partner
/// are every (own listed key held here) × (partner listed key) pair whose windows overlap; both nodes read the same
/// trust list, and X25519 is symmetric, so they agree on every generation and its K_AB.
/// </summary>
public sealed class PseudonymKeyRing
{
    private readonly Dictionary<string, (PairwisePseudonymizer Pseudonyms, PartnerKey Listed)> own = new(StringComparer.Ordinal);
    private readonly TrustList trustList;

    public PseudonymKeyRing(OrganisationKeys keys, TrustList trustList, string organisation)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(trustList);
        this.trustList = trustList;
        if (!trustList.TryGet(organisation, out var self))
        {
            return;
        }
        foreach (var key in keys.AllPseudonyms)
        {
            var id = KeyThumbprint.Of(key.PublicKey);
            var listed = self.PseudonymKeys.FirstOrDefault(k => k.KeyId == id);
            if (listed is not null)
            {
                own[id] = (new PairwisePseudonymizer(key, organisation, trustList.FederationId), listed);
            }
        }
    }

    /// <summary>The generations with <paramref name="partnerId"/> valid at <paramref name="now"/> (or, with <paramref name="includeUpcoming"/>, not yet expired), newest first.</summary>
    public IReadOnlyList<PseudonymGeneration> Generations(string partnerId, DateTimeOffset now, bool includeUpcoming = false)
    {
        if (!trustList.TryGet(partnerId, out var partner))
        {
            return [];
        }
        var result = new List<PseudonymGeneration>();
        foreach (var (ownId, (_, ownKey)) in own)
        {
            foreach (var partnerKey in partner.PseudonymKeys)
            {
                var generation = new PseudonymGeneration(partnerId, ownId, partnerKey.KeyId, partnerKey.Key,
                    Later(ownKey.NotBefore, partnerKey.NotBefore), Earlier(ownKey.NotAfter, partnerKey.NotAfter));
                var empty = generation.NotBefore is { } from && generation.NotAfter is { } to && from >= to;
                if (!empty && (includeUpcoming ? generation.IsActiveAt(now) : generation.IsValidAt(now)))
                {
                    result.Add(generation);
                }
            }
        }
        return result.OrderByDescending(g => g.NotBefore ?? DateTimeOffset.MinValue).ToList();
    }

    /// <summary>
    /// The own pseudonym key a sender uses now: the newest held key the trust list names valid at <paramref name="now"/>
    /// (so after a rotation the new key, as partners' indexes expect), else the key set's primary one.
    /// </summary>
    public static Key CurrentOwnKey(OrganisationKeys keys, TrustList trustList, string organisation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(trustList);
        if (!trustList.TryGet(organisation, out var self))
        {
            return keys.Pseudonym;
        }
        return keys.AllPseudonyms
            .Select(k => (Key: k, Listed: self.PseudonymKeys.FirstOrDefault(p => p.KeyId == KeyThumbprint.Of(k.PublicKey))))
            .Where(x => x.Listed is not null && x.Listed.IsValidAt(now))
            .MaxBy(x => x.Listed!.NotBefore ?? DateTimeOffset.MinValue).Key ?? keys.Pseudonym;
    }

    public byte[] Pseudonym(PseudonymGeneration generation, SubjectId subject)
    {
        ArgumentNullException.ThrowIfNull(generation);
        return own[generation.OwnKeyId].Pseudonyms.Pseudonym(generation.Partner, generation.PartnerKey, subject);
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static DateTimeOffset? Earlier(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
