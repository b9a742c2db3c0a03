using ChainGateway.Contracts.V1;

namespace ChainGateway.Core.Cases;

/// <summary>
/// One signal this node sent or received, kept (as minimised and pseudonymised on the wire) for the case overview
/// until its rule's retention ends. <paramref name="Subjects"/> are the pseudonyms it names (pairwise with
/// <paramref name="Partner"/>): the overview finds a subject's facts by computing its pseudonym for each partner.
/// <paramref name="At"/> is when this node sent or received it; <paramref name="CreatedAt"/> when the sender made it (the
/// envelope's created_at; for a sent signal, <paramref name="At"/>): the overview goes by the latter, since deliveries run
/// in parallel and retries are jittered, so a correction may arrive before what it corrects.
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
    IReadOnlyList<byte[]> Subjects,
    DateTimeOffset CreatedAt);
