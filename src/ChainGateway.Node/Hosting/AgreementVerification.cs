using ChainGateway.Core.Federation;
using ChainGateway.Core.Rules;

namespace ChainGateway.Node.Hosting;

/// <summary>Glue between the agreement's signatures file and the trust list's signing keys.</summary>
public static class AgreementVerification
{
    /// <summary>Throws <see cref="AgreementNotInForceException"/> naming every party whose valid signature is missing.</summary>
    public static void EnsureInForce(Agreement agreement, string signaturesJson, TrustList trustList, DateTimeOffset now) =>
        throw new NotImplementedException();

    /// <summary>The signatures file for an agreement signed by each (organisation, key id, signing key).</summary>
    public static string SignaturesFile(Agreement agreement, IEnumerable<(string Organisation, string KeyId, NSec.Cryptography.Key Key)> signers) =>
        throw new NotImplementedException();
}
