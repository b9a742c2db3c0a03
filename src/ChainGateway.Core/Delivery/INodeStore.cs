using ChainGateway.Contracts.V1;
using ChainGateway.Core.Cases;
using ChainGateway.Core.SharingLog;

namespace ChainGateway.Core.Delivery;

/// <summary>
/// The node's durable state: outbox, inbox and sharing log. Every method that changes state writes its rows
/// and their log entries in ONE transaction (DESIGN.md §7 fail closed, §8), so an exchange and its log entry
/// exist together or not at all. Implemented by ChainGateway.Storage (SQLite, later PostgreSQL).
/// </summary>
public interface INodeStore : IAsyncDisposable
{
    /// <summary>Creates or migrates the schema.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Queues sealed envelopes and appends their 'sent' entries, atomically. When any envelope is urgent the write
    /// goes before routine writes waiting for the store (so do the other urgent-path writes below: their priority parameter).
    /// </summary>
    Task EnqueueAsync(IReadOnlyList<OutboxEnvelope> envelopes, CancellationToken cancellationToken);

    /// <summary>
    /// Queues sealed envelopes, appends their 'sent' entries, and schedules the measure-expiry reminders a sent
    /// protection measure calls for, atomically.
    /// </summary>
    Task EnqueueAsync(IReadOnlyList<OutboxEnvelope> envelopes, IReadOnlyList<MeasureReminder> reminders, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="EnqueueAsync(IReadOnlyList{OutboxEnvelope}, IReadOnlyList{MeasureReminder}, CancellationToken)"/>, for
    /// a measure imposed with <paramref name="measureEnd"/>: in the same transaction, its pending reminders of any other
    /// end date are superseded.
    /// </summary>
    Task EnqueueAsync(IReadOnlyList<OutboxEnvelope> envelopes, IReadOnlyList<MeasureReminder> reminders, Cases.MeasureEnd? measureEnd,
        CancellationToken cancellationToken);

    /// <summary>Pending reminders due at <paramref name="now"/>, earliest first.</summary>
    Task<IReadOnlyList<MeasureReminder>> GetDueRemindersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>When the next pending reminder falls due, or null when none is pending.</summary>
    Task<DateTimeOffset?> GetNextReminderDueAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Fires one reminder exactly once: queues its envelope (with its 'sent' entry and case fact), or, when
    /// <paramref name="envelope"/> is null, drops it with <paramref name="refusal"/> logged; and marks it done, in one
    /// transaction. Returns false (and writes nothing) when the reminder was already done.
    /// </summary>
    Task<bool> FireReminderAsync(MeasureReminder reminder, OutboxEnvelope? envelope, LogEntry? refusal, CancellationToken cancellationToken);

    /// <summary>The case facts naming any of the given (partner, pairwise pseudonym) subjects.</summary>
    Task<IReadOnlyList<CaseFact>> GetCaseFactsAsync(IReadOnlyList<(string Partner, byte[] Pseudonym)> subjects, CancellationToken cancellationToken);

    /// <summary>One partner's pending outbox rows of <paramref name="lane"/> whose next attempt is due, urgent first, then oldest.</summary>
    Task<IReadOnlyList<OutboxEnvelope>> GetDueAsync(string recipient, DateTimeOffset now, int max, CancellationToken cancellationToken,
        OutboxLane lane = OutboxLane.All);

    /// <summary>The earliest next-attempt time of a partner's pending rows of <paramref name="lane"/>, or null when none is pending.</summary>
    Task<DateTimeOffset?> GetNextDueAsync(string recipient, CancellationToken cancellationToken, OutboxLane lane = OutboxLane.All);

    /// <summary>Counts per partner and state, and the latest dead letters: what the operator watches.</summary>
    Task<OutboxSummary> GetOutboxSummaryAsync(int maxDeadLetters, CancellationToken cancellationToken);

    /// <summary>Stores the verified receipt and appends the 'delivered' entry; an urgent envelope's before waiting routine writes.</summary>
    /// <returns>True when this call recorded the delivery; false when the envelope was no longer queued (delivered before).</returns>
    Task<bool> MarkDeliveredAsync(Guid messageId, byte[] receipt, LogEntry entry, CancellationToken cancellationToken, Priority priority = Priority.Routine);

    /// <summary>Records a failed attempt (transient) and when to try again.</summary>
    Task MarkRetryAsync(Guid messageId, string failure, DateTimeOffset nextAttempt, CancellationToken cancellationToken);

    /// <summary>Moves the row to the dead-letter state and appends the entry that says why; an urgent envelope's before waiting routine writes.</summary>
    /// <returns>True when this call dead-lettered the envelope; false when it was no longer queued.</returns>
    Task<bool> MarkDeadLetterAsync(Guid messageId, string failure, LogEntry entry, CancellationToken cancellationToken, Priority priority = Priority.Routine);

    /// <summary>Where one sent message stands, or null when unknown.</summary>
    Task<OutboxStatus?> GetOutboxStatusAsync(Guid messageId, CancellationToken cancellationToken);

    /// <summary>
    /// Accepts a received envelope: appends the 'received' entry, then asks <paramref name="signReceipt"/> for the
    /// receipt (which names the entry's index) and stores inbox row and receipt, all in one transaction. When
    /// (sender, message id) is already in the inbox nothing is written and the stored row is returned instead. An urgent
    /// envelope (its header's priority) is written before routine writes waiting for the store.
    /// </summary>
    Task<InboxAcceptResult> AcceptAsync(InboxEnvelope envelope, LogEntry entry, Func<long, byte[]> signReceipt,
        CancellationToken cancellationToken, Priority priority = Priority.Routine);

    /// <summary>The inbox row for (sender, message id), if any: for duplicates and replays.</summary>
    Task<InboxRecord?> FindInboxAsync(string sender, Guid messageId, CancellationToken cancellationToken);

    /// <summary>Unacknowledged inbox rows with a sequence number above <paramref name="afterSequence"/>, in order.</summary>
    Task<IReadOnlyList<InboxRecord>> GetUnacknowledgedAsync(long afterSequence, int max, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="GetUnacknowledgedAsync(long, int, CancellationToken)"/>, but only rows still within their retention at
    /// <paramref name="now"/>: what the Subscribe stream may still hand to the organisation's systems (DESIGN.md §5), whether
    /// or not the purge has run since.
    /// </summary>
    Task<IReadOnlyList<InboxRecord>> GetUnacknowledgedAsync(long afterSequence, int max, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes, in one bounded transaction, the bodies of received signals and the case-overview copies of sent and received
    /// signals whose retention ended at <paramref name="now"/>, appending one 'purged' entry per received body and per sent
    /// copy (a received copy goes with its body's entry). Log entries are never deleted. Call it again until
    /// <see cref="PurgeResult.Rows"/> is 0: each call takes at most 1,000 of each.
    /// </summary>
    Task<PurgeResult> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Shortens the retention of stored signals (received bodies, case-overview copies) to what the agreement in force
    /// gives their rule now, counted from when each was received or sent; never lengthens it. A rule that is no longer in
    /// the agreement leaves its signals' retention as it was. Returns how many rows got an earlier end. Done once per
    /// agreement: with the <paramref name="agreementHash"/> it was last done for, it returns 0 at once.
    /// </summary>
    Task<int> ShortenRetentionAsync(byte[] agreementHash, IReadOnlyDictionary<string, int> retentionDaysByRule, CancellationToken cancellationToken);

    /// <summary>
    /// After a purge: makes what was deleted unreadable from the store's files too (DESIGN.md §5: the body is deleted,
    /// not merely unlinked), e.g. by truncating a write-ahead log that still holds old copies of the pages. False when it
    /// could not finish (a reader, such as <c>chaingw log verify</c> beside the node, held the log): call it again later.
    /// </summary>
    Task<bool> ScrubAsync(CancellationToken cancellationToken);

    /// <summary>Acknowledges inbox rows; returns how many changed state.</summary>
    Task<int> AcknowledgeAsync(IReadOnlyList<Guid> messageIds, CancellationToken cancellationToken);

    /// <summary>Appends one entry on its own (refusals, agreement loaded); returns its index.</summary>
    Task<long> AppendLogAsync(LogEntry entry, CancellationToken cancellationToken);

    /// <summary>The latest witness alerts (WitnessRefused entries), newest first: for the operator's status.</summary>
    Task<IReadOnlyList<LogEntry>> ReadWitnessAlertsAsync(int max, CancellationToken cancellationToken);

    /// <summary>Log entries from <paramref name="fromIndex"/> on, in order, with their stored leaf hashes.</summary>
    Task<IReadOnlyList<LogEntry>> ReadLogAsync(long fromIndex, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Streams entries from <paramref name="fromIndex"/> on (at most <paramref name="max"/>) to <paramref name="visitor"/> as
    /// canonical bytes built straight from the stored values (for <c>log verify</c>); returns how many were visited and the last index.
    /// </summary>
    Task<(int Count, long LastIndex)> ScanLogBytesAsync(long fromIndex, int max, ILogEntryBytesVisitor visitor, CancellationToken cancellationToken);

    /// <summary>Stored leaf hashes from <paramref name="fromIndex"/> (1-based entry index) on, in order.</summary>
    Task<IReadOnlyList<byte[]>> ReadLeafHashesAsync(long fromIndex, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a signed checkpoint (C2SP tlog-checkpoint note) of the log at <paramref name="size"/> and returns the note
    /// stored at that size: <paramref name="note"/>, or the one stored before with the same root.
    /// </summary>
    /// <exception cref="CheckpointConflictException">A checkpoint of this size with another root is stored already.</exception>
    Task<string> AppendCheckpointAsync(long size, byte[] root, string note, DateTimeOffset time, CancellationToken cancellationToken);

    /// <summary>The stored checkpoint note of the largest size, if any.</summary>
    Task<string?> ReadLatestCheckpointAsync(CancellationToken cancellationToken);

    /// <summary>Every stored checkpoint note, smallest size first.</summary>
    Task<IReadOnlyList<string>> ReadCheckpointsAsync(CancellationToken cancellationToken);

    /// <summary>The stored checkpoint note at <paramref name="size"/>, if any.</summary>
    Task<string?> ReadCheckpointAsync(long size, CancellationToken cancellationToken);

    /// <summary>Stores a witness's cosignature of our checkpoint at <paramref name="size"/> (the newest per witness and size wins).</summary>
    Task AddCosignatureAsync(StoredCosignature cosignature, DateTimeOffset receivedAt, CancellationToken cancellationToken);

    /// <summary>Stored cosignatures, by checkpoint size then witness; only those of <paramref name="size"/> if given.</summary>
    Task<IReadOnlyList<StoredCosignature>> ReadCosignaturesAsync(long? size, CancellationToken cancellationToken);

    /// <summary>Records a partner's checkpoint this node verified and cosigned as its witness.</summary>
    Task SaveWitnessedAsync(WitnessedCheckpoint witnessed, CancellationToken cancellationToken);

    /// <summary>The largest checkpoint of <paramref name="partner"/> this node cosigned, if any.</summary>
    Task<WitnessedCheckpoint?> ReadWitnessedAsync(string partner, CancellationToken cancellationToken);

    /// <summary>Every envelope delivered to <paramref name="recipient"/> with the receipt it answered with, oldest first.</summary>
    Task<IReadOnlyList<DeliveredReceipt>> ReadReceiptsAsync(string recipient, CancellationToken cancellationToken);
}

/// <summary>A delivered envelope's id and hash, and the serialised signed receipt the recipient returned.</summary>
public sealed record DeliveredReceipt(Guid MessageId, byte[] EnvelopeHash, byte[] Receipt);

/// <summary>What one purge call did: <see cref="Signals"/> purges logged (received bodies, sent copies); <see cref="Rows"/> rows
/// deleted or emptied in all, received case-overview copies included; <see cref="Unacknowledged"/> received bodies deleted
/// before the organisation's systems acknowledged them.</summary>
public readonly record struct PurgeResult(int Signals, int Rows, int Unacknowledged = 0);
