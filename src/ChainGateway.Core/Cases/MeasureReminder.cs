namespace ChainGateway.Core.Cases;

/// <summary>
/// A MeasureExpiring this node will send (or deliver to itself) when <paramref name="DueAt"/> comes: one per measure
/// end date, recipient and lead time, so it fires exactly once, also across restarts. <paramref name="Payload"/> is
/// the serialised Signal, already minimised by <paramref name="RuleId"/> and pseudonymised for the recipient, so
/// no identifier is stored.
/// </summary>
public sealed record MeasureReminder(
    string MeasureId,
    DateOnly ExpiresOn,
    string Recipient,
    int LeadDays,
    DateTimeOffset DueAt,
    string Purpose,
    string RuleId,
    byte[] Payload);
