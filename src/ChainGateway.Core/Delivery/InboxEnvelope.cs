namespace ChainGateway.Core.Delivery;

/// <summary>
/// A verified, opened, rule-checked envelope about to be accepted. Its <paramref name="Fact"/> (the case overview's copy)
/// carries the pairwise pseudonyms the signal names, which also link it to the subject index (DESIGN.md §6).
/// </summary>
public sealed record InboxEnvelope(
    string Sender,
    Guid MessageId,
    byte[] EnvelopeHash,
    string SignalType,
    string Purpose,
    string RuleId,
    byte[] Payload,
    DateTimeOffset CreatedAt,
    DateTimeOffset ReceivedAt,
    DateTimeOffset RetainUntil,
    Cases.CaseFact? Fact = null);

/// <summary>A stored inbox row.</summary>
public sealed record InboxRecord(
    long Sequence,
    string Sender,
    Guid MessageId,
    byte[] EnvelopeHash,
    string SignalType,
    string Purpose,
    string RuleId,
    byte[] Payload,
    DateTimeOffset CreatedAt,
    DateTimeOffset ReceivedAt,
    long LogIndex,
    byte[] Receipt,
    bool Acknowledged);

/// <summary>The outcome of <see cref="INodeStore.AcceptAsync"/>.</summary>
public sealed record InboxAcceptResult(bool Duplicate, InboxRecord Record);
