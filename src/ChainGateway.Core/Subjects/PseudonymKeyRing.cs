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
    private readonly PairwisePseudonymizer primary;
    private readonly TrustList trustList;

    public PseudonymKeyRing(OrganisationKeys keys, TrustList trustList, string organisation)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(trustList);
        this.trustList = trustList;
        trustList.TryGet(organisation, out var self);
        foreach (var key in keys.AllPseudonyms)
        {
            var id = KeyThumbprint.Of(key.PublicKey);
            var pseudonyms = new PairwisePseudonymizer(key, organisation, trustList.FederationId);
            primary ??= pseudonyms;
            var listed = self?.PseudonymKeys.FirstOrDefault(k => k.KeyId == id);
            if (listed is not null)
            {
                own[id] = (pseudonyms, listed);
            }
        }
        primary ??= new PairwisePseudonymizer(keys.Pseudonym, organisation, trustList.FederationId);
    }

    /// <summary>
    /// What a sender pseudonymises with at <paramref name="now"/>: the newest held key the trust list names valid then (so
    /// after a rotation the new key, as partners' indexes expect, also in a node that runs across the old key's end), else
    /// the key set's primary one.
    /// </summary>
    public PairwisePseudonymizer Current(DateTimeOffset now)
    {
        PairwisePseudonymizer? current = null;
        DateTimeOffset? newest = null;
        foreach (var (pseudonyms, listed) in own.Values)
        {
            var from = listed.NotBefore ?? DateTimeOffset.MinValue;
            if (listed.IsValidAt(now) && (newest is null || from > newest))
            {
                (current, newest) = (pseudonyms, from);
            }
        }
        return current ?? primary;
    }

    /// <summary>Every held key the trust list names, whatever its window, and the primary one: what past exchanges may have used.</summary>
    public IEnumerable<PairwisePseudonymizer> All => own.Values.Select(o => o.Pseudonyms).Append(primary).Distinct();

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

    public byte[] Pseudonym(PseudonymGeneration generation, SubjectId subject)
    {
        ArgumentNullException.ThrowIfNull(generation);
        return own[generation.OwnKeyId].Pseudonyms.Pseudonym(generation.Partner, generation.PartnerKey, subject);
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static DateTimeOffset? Earlier(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
