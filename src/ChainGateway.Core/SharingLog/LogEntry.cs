namespace ChainGateway.Core.SharingLog;

/// <summary>
/// One sharing-log entry (DESIGN.md §7): metadata only, never payload. The fields follow the Logboek
/// Dataverwerkingen standard (trace/span ids, the partner's foreign trace/span ids, processing activity,
/// data subject) plus the exchange's own (parties, purpose, rule, signal type, envelope hash, outcome, reason).
/// </summary>
public sealed record LogEntry
{
    /// <summary>Assigned by the store on append; 0 before.</summary>
    public long Index { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required LogEvent Event { get; init; }

    /// <summary>The other organisation of the exchange, if any.</summary>
    public string? Partner { get; init; }

    /// <summary>Subject (sub claim) of the local user who caused the event, if any.</summary>
    public string? User { get; init; }

    public string? Purpose { get; init; }

    public string? ProcessingActivity { get; init; }

    public string? RuleId { get; init; }

    public string? SignalType { get; init; }

    /// <summary>Hex of the pairwise pseudonym(s) of the data subject(s); never a BSN.</summary>
    public string? SubjectPseudonym { get; init; }

    public Guid? MessageId { get; init; }

    public byte[]? EnvelopeHash { get; init; }

    /// <summary>"ok" or "rejected"/"denied".</summary>
    public required string Outcome { get; init; }

    /// <summary>The reason code of a refusal (DESIGN.md §10), e.g. BAD_SIGNATURE.</summary>
    public string? ReasonCode { get; init; }

    public string? Detail { get; init; }

    public string? TraceId { get; init; }

    public string? SpanId { get; init; }

    public string? ForeignTraceId { get; init; }

    public string? ForeignSpanId { get; init; }

    /// <summary>As stored: the RFC 9162 leaf hash of the entry's canonical bytes (<see cref="LogEntryEncoding"/>); null before append.</summary>
    public byte[]? LeafHash { get; init; }
}

/// <summary>What a log entry records.</summary>
public enum LogEvent
{
    /// <summary>The node sealed a signal and queued it for a partner.</summary>
    Sent,

    /// <summary>The partner's signed receipt for a sent signal arrived and verified.</summary>
    Delivered,

    /// <summary>The node accepted a signal from a partner.</summary>
    Received,

    /// <summary>The node refused an envelope from a partner.</summary>
    Rejected,

    /// <summary>The node refused a local request (no rule, wrong role) before anything was sealed.</summary>
    Denied,

    /// <summary>A queued envelope could never be delivered.</summary>
    DeadLettered,

    /// <summary>The node started with an agreement in force.</summary>
    AgreementLoaded,

    /// <summary>A received signal's body was deleted because its rule's retention ended; the entries about it stay.</summary>
    Purged,

    /// <summary>As a witness, the node refused to cosign a partner's checkpoint (forked or rewritten log, bad signature, tiles that do not match).</summary>
    WitnessRefused,
    /// <summary>A match question (SubjectKnown) asked of a partner or answered for one: pseudonym, hit or no-hit, never an identifier.</summary>
    Matched,
}
