using ChainGateway.Contracts.V1;

namespace ChainGateway.Core.Cases;

/// <summary>
/// One signal this node sent or received, kept (as minimised and pseudonymised on the wire) for the case overview
/// until its rule's retention ends. <paramref name="Subjects"/> are the pseudonyms it names (pairwise with
/// <paramref name="Partner"/>): the overview finds a subject's facts by computing its pseudonym for each partner.
/// </summary>
public sealed record CaseFact(
    FactDirection Direction,
    string Partner,
    Guid MessageId,
    string SignalType,
    string Purpose,
    string RuleId,
    DateTimeOffset At,
    DateTimeOffset RetainUntil,
    byte[] Payload,
    IReadOnlyList<byte[]> Subjects);
