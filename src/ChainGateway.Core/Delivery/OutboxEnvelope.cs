using ChainGateway.Core.SharingLog;

namespace ChainGateway.Core.Delivery;

/// <summary>A sealed envelope waiting for (or done with) delivery to one partner.</summary>
public sealed record OutboxEnvelope(
    Guid MessageId,
    string Recipient,
    int Priority,
    byte[] Envelope,
    byte[] EnvelopeHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    int Attempts,
    LogEntry? SentEntry,
    Cases.CaseFact? Fact = null);

/// <summary>Delivery state of a sent message.</summary>
public enum OutboxState
{
    Queued = 1,
    Delivered = 2,
    DeadLetter = 3,
}

public sealed record OutboxStatus(Guid MessageId, string Recipient, OutboxState State, int Attempts, string? LastError, byte[]? Receipt);

/// <summary>How many envelopes are in each state per partner, and the latest dead letters, for the operator.</summary>
public sealed record OutboxSummary(IReadOnlyList<OutboxCount> Counts, IReadOnlyList<OutboxStatus> DeadLetters);

public sealed record OutboxCount(string Recipient, OutboxState State, long Count);
