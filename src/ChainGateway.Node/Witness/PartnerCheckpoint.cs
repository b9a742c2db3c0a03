using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Hosting;

namespace ChainGateway.Node.Witness;

/// <summary>Opens a partner's checkpoint note (C2SP tlog-checkpoint, signed-note) with the partner's listed Ed25519 keys.</summary>
public static class PartnerCheckpoint
{
    /// <summary>The checkpoint if a signing key the trust list lists for <paramref name="partner"/> (valid now) verifies it and the origin is the partner's; else null.</summary>
    public static Checkpoint? Open(NodeContext node, string partner, string note)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!node.TrustList.TryGet(partner, out var listed))
        {
            return null;
        }
        // The key name is the origin, chaingateway/<partner>.
        var origin = Checkpoint.OriginFor(partner);
        var now = node.Time.GetUtcNow();
        return listed.SigningKeys.Where(k => k.IsValidAt(now))
            .Select(k => Checkpoint.Open(note, origin, k.Key))
            .FirstOrDefault(c => c is not null && c.Origin == origin);
    }
}
