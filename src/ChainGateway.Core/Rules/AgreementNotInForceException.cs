namespace ChainGateway.Core.Rules;

/// <summary>The agreement lacks a valid signature of one or more parties, so it is not in force (DESIGN.md §5).</summary>
public sealed class AgreementNotInForceException(IReadOnlyList<string> unsignedParties, string message) : Exception(message)
{
    public IReadOnlyList<string> UnsignedParties { get; } = unsignedParties;
}
