namespace ChainGateway.Core.Federation;

/// <summary>What a node uses each of its key kinds for; a notice names the kind.</summary>
public enum KeyUse
{
    Signing,
    Envelope,
    Pseudonym,
}

/// <summary>
/// One finding about a node's own keys: <see cref="Expired"/> when no key of this use that the node holds is listed as
/// valid now (partners refuse what it signs, or cannot seal to it, or match with it); otherwise the last listed validity
/// of the held keys ends within <see cref="OwnKeyWindows.WarnAhead"/> and no held successor is listed.
/// </summary>
public sealed record OwnKeyNotice(KeyUse Use, string KeyId, DateTimeOffset? Until, bool Expired, string Message);

/// <summary>
/// Checks a node's own keys against the trust list's validity windows (DESIGN.md §3: keys rotate with overlap), so an
/// operator learns of a rotation due before partners start refusing the node. Checked at start only, a node whose
/// signing key ran out kept running and every exchange failed with UNKNOWN_KEY at the partners.
/// </summary>
public static class OwnKeyWindows
{
    /// <summary>How long before a key's window ends the operator is told.</summary>
    public static readonly TimeSpan WarnAhead = TimeSpan.FromDays(30);

    public static IReadOnlyList<OwnKeyNotice> Check(OrganisationKeys keys, TrustList trustList, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(trustList);
        if (!trustList.TryGet(keys.Organisation, out var self))
        {
            return [new OwnKeyNotice(KeyUse.Signing, keys.SigningKeyId, null, true, $"'{keys.Organisation}' is not in the trust list")];
        }
        var notices = new List<OwnKeyNotice>();
        Check(KeyUse.Signing, [keys.SigningKeyId], self.SigningKeys, now, notices);
        HashSet<string> envelopes = [.. keys.AdditionalEnvelopes.Prepend(keys.Envelope).Select(k => KeyThumbprint.Of(k.PublicKey))];
        HashSet<string> pseudonyms = [.. keys.AllPseudonyms.Select(k => KeyThumbprint.Of(k.PublicKey))];
        Check(KeyUse.Envelope, envelopes, self.EnvelopeKeys, now, notices);
        Check(KeyUse.Pseudonym, pseudonyms, self.PseudonymKeys, now, notices);
        // Partners seal to (and pseudonymise with) the newest key listed as valid now: one this node does not hold means
        // what they send cannot be opened here (or matched), whatever the keys it does hold.
        Current(KeyUse.Envelope, envelopes, self.CurrentEnvelopeKey(now), notices);
        Current(KeyUse.Pseudonym, pseudonyms, self.CurrentPseudonymKey(now), notices);
        return notices;
    }

    private static string Short(string keyId) => keyId[..Math.Min(11, keyId.Length)];

    private static void Current(KeyUse use, HashSet<string> held, PartnerKey? current, List<OwnKeyNotice> notices)
    {
        if (current is not null && !held.Contains(current.KeyId) && !notices.Any(n => n.Use == use && n.Expired))
        {
            var name = use.ToString().ToLowerInvariant();
            notices.Add(new OwnKeyNotice(use, current.KeyId, current.NotAfter, true,
                $"partners use the {name} key {Short(current.KeyId)} (the newest listed as valid now), which this node does not hold: add it to keys.json and restart"));
        }
    }

    private static void Check(KeyUse use, HashSet<string> held, IReadOnlyList<PartnerKey> listed, DateTimeOffset now, List<OwnKeyNotice> notices)
    {
        var ours = listed.Where(k => held.Contains(k.KeyId)).ToList();
        var valid = ours.Where(k => k.IsValidAt(now)).ToList();
        var name = use.ToString().ToLowerInvariant();
        if (valid.Count == 0)
        {
            var last = ours.MaxBy(k => k.NotAfter ?? DateTimeOffset.MaxValue);
            notices.Add(new OwnKeyNotice(use, last?.KeyId ?? held.First(), last?.NotAfter, true, last is null
                ? $"no {name} key this node holds is in the trust list"
                : $"no {name} key this node holds is valid now (the last listed window ended {last.NotAfter:yyyy-MM-dd HH:mm} UTC)"));
            return;
        }
        // The held keys' listed validity runs on to the latest end among those valid now and those listed to follow them.
        var until = ours.Where(k => k.NotAfter is null || k.NotAfter > now).Max(k => k.NotAfter ?? DateTimeOffset.MaxValue);
        if (until - now < WarnAhead)
        {
            var key = ours.First(k => k.NotAfter == until);
            // A successor may be listed already without this node holding it (a signing key is swapped in keys.json, not added).
            var successor = listed.Where(k => !held.Contains(k.KeyId) && (k.NotAfter ?? DateTimeOffset.MaxValue) > until)
                .MaxBy(k => k.NotBefore ?? DateTimeOffset.MinValue);
            var todo = successor is null
                ? "no key to follow it is listed: rotate it (docs/formats.md)"
                : $"the key {Short(successor.KeyId)} listed to follow it is not in keys.json yet: put it there before then (docs/formats.md)";
            notices.Add(new OwnKeyNotice(use, key.KeyId, until, false,
                $"the {name} key {Short(key.KeyId)} is listed until {until:yyyy-MM-dd HH:mm} UTC (in {Math.Max(0, (int)(until - now).TotalDays)} days) and {todo}"));
        }
    }
}
