namespace ChainGateway.Core.Cases;

/// <summary>
/// A MeasureExpiring this node will send (or deliver to itself) when <paramref name="DueAt"/> comes: one per measure
/// end date, recipient and lead time, so it fires exactly once, also across restarts. <paramref name="Payload"/> is
/// the serialised Signal, already minimised by <paramref name="RuleId"/> and pseudonymised for the recipient, so
/// no identifier is stored.
/// </summary>
/// <summary>
/// A protection measure's last day, as this node has just imposed (or re-imposed) it: every reminder of the measure
/// still pending for another end date is superseded, also when none is planned for the new one (a measure shortened to
/// end before its first lead time would otherwise still be announced with its old end date).
/// </summary>
public sealed record MeasureEnd(string MeasureId, DateOnly ExpiresOn);

public sealed record MeasureReminder(
    string MeasureId,
    DateOnly ExpiresOn,
    string Recipient,
    int LeadDays,
    DateTimeOffset DueAt,
    string Purpose,
    string RuleId,
    byte[] Payload);
