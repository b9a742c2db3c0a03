using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;
using Microsoft.Data.Sqlite;
using Priority = ChainGateway.Contracts.V1.Priority;

namespace ChainGateway.Storage.Sqlite;

public sealed partial class SqliteNodeStore
{
    private const string InboxColumns = """
        seq, sender, message_id, envelope_hash, signal_type, purpose, rule_id, payload, created_at, received_at,
        log_index, receipt, acked
        """;

    public Task<InboxAcceptResult> AcceptAsync(InboxEnvelope envelope, LogEntry entry, Func<long, byte[]> signReceipt,
        CancellationToken cancellationToken, Priority priority = Priority.Routine) =>
        WriteAsync(tx =>
        {
            var existing = FindInbox(tx.Connection!, envelope.Sender, envelope.MessageId, tx);
            if (existing is not null)
            {
                return new InboxAcceptResult(true, existing);
            }
            var logIndex = Append(entry, tx);
            var receipt = signReceipt(logIndex);
            using var command = Command($"""
                INSERT INTO inbox (sender, message_id, envelope_hash, signal_type, purpose, rule_id, payload, created_at,
                    received_at, retain_until, log_index, receipt, acked)
                VALUES ($sender, $id, $hash, $signal, $purpose, $rule, $payload, $created, $received, $retain, $log, $receipt, 0)
                RETURNING {InboxColumns}
                """, tx);
            var p = command.Parameters;
            p.AddWithValue("$sender", envelope.Sender);
            p.AddWithValue("$id", envelope.MessageId.ToByteArray(bigEndian: true));
            p.AddWithValue("$hash", envelope.EnvelopeHash);
            p.AddWithValue("$signal", envelope.SignalType);
            p.AddWithValue("$purpose", envelope.Purpose);
            p.AddWithValue("$rule", envelope.RuleId);
            p.AddWithValue("$payload", envelope.Payload);
            p.AddWithValue("$created", Ticks(envelope.CreatedAt));
            p.AddWithValue("$received", Ticks(envelope.ReceivedAt));
            p.AddWithValue("$retain", Ticks(envelope.RetainUntil));
            p.AddWithValue("$log", logIndex);
            p.AddWithValue("$receipt", receipt);
            InboxRecord record;
            using (var reader = command.ExecuteReader())
            {
                reader.Read();
                record = ReadInbox(reader);
            }
            if (envelope.Fact is not null)
            {
                InsertFact(envelope.Fact, envelope.CreatedAt, tx);
                LinkReceived(record.Sequence, envelope.Sender, envelope.Fact.Subjects, tx);
            }
            return new InboxAcceptResult(false, record);
        }, priority, cancellationToken);

    public Task<InboxRecord?> FindInboxAsync(string sender, Guid messageId, CancellationToken cancellationToken) =>
        ReadAsync(c => FindInbox(c, sender, messageId, null), cancellationToken);

    public Task<IReadOnlyList<InboxRecord>> GetUnacknowledgedAsync(long afterSequence, int max, CancellationToken cancellationToken) =>
        GetUnacknowledgedAsync(afterSequence, max, DateTimeOffset.MinValue, cancellationToken);

    public Task<IReadOnlyList<InboxRecord>> GetUnacknowledgedAsync(long afterSequence, int max, DateTimeOffset now, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<InboxRecord>>(c =>
        {
            using var command = Command(c, $"""
                SELECT {InboxColumns} FROM inbox
                WHERE acked = 0 AND payload IS NOT NULL AND seq > $after AND retain_until > $now ORDER BY seq LIMIT $max
                """);
            command.Parameters.AddWithValue("$after", afterSequence);
            command.Parameters.AddWithValue("$max", max);
            command.Parameters.AddWithValue("$now", Ticks(now));
            using var reader = command.ExecuteReader();
            var rows = new List<InboxRecord>();
            while (reader.Read())
            {
                rows.Add(ReadInbox(reader));
            }
            return rows;
        }, cancellationToken);

    public Task<PurgeResult> PurgeExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(tx =>
        {
            var expired = new List<(long Seq, string Sender, byte[] MessageId, string RuleId, string SignalType, string Purpose, bool Acked)>();
            using (var select = Command("""
                SELECT seq, sender, message_id, rule_id, signal_type, purpose, acked FROM inbox
                WHERE payload IS NOT NULL AND retain_until <= $now ORDER BY seq LIMIT 1000
                """, tx))
            {
                select.Parameters.AddWithValue("$now", Ticks(now));
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    expired.Add((reader.GetInt64(0), reader.GetString(1), (byte[])reader[2], reader.GetString(3), reader.GetString(4), reader.GetString(5),
                        reader.GetInt64(6) != 0));
                }
            }
            foreach (var row in expired)
            {
                using (var purge = Command("UPDATE inbox SET payload = NULL WHERE seq = $seq", tx))
                {
                    purge.Parameters.AddWithValue("$seq", row.Seq);
                    purge.ExecuteNonQuery();
                }
                // The links of registered subjects to this signal go with its body: after its retention a case system no
                // longer learns, from LinkedSignals, that this partner sent something about the person.
                using (var unlink = Command("DELETE FROM subject_links WHERE seq = $seq", tx))
                {
                    unlink.Parameters.AddWithValue("$seq", row.Seq);
                    unlink.ExecuteNonQuery();
                }
                Append(new LogEntry
                {
                    Time = now,
                    Event = LogEvent.Purged,
                    Partner = row.Sender,
                    RuleId = row.RuleId,
                    SignalType = row.SignalType,
                    Purpose = row.Purpose,
                    MessageId = new Guid(row.MessageId, bigEndian: true),
                    Outcome = "ok",
                    Detail = row.Acked
                        ? "retention ended: body deleted"
                        : "retention ended: body deleted before the organisation's systems acknowledged it",
                }, tx);
            }
            var (sentCopies, copies) = PurgeFacts(now, tx);
            return new PurgeResult(expired.Count + sentCopies, expired.Count + copies, expired.Count(r => !r.Acked));
        }, cancellationToken);

    public Task<int> ShortenRetentionAsync(byte[] agreementHash, IReadOnlyDictionary<string, int> retentionDaysByRule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agreementHash);
        ArgumentNullException.ThrowIfNull(retentionDaysByRule);
        return WriteAsync(tx =>
        {
            using (var applied = Command("SELECT agreement_hash FROM retention_applied", tx))
            {
                if (applied.ExecuteScalar() is byte[] last && last.AsSpan().SequenceEqual(agreementHash))
                {
                    return 0;
                }
            }
            var changed = 0;
            foreach (var (rule, days) in retentionDaysByRule)
            {
                using var shorten = Command("""
                    UPDATE inbox SET retain_until = received_at + $span
                    WHERE rule_id = $rule AND payload IS NOT NULL AND retain_until > received_at + $span;
                    UPDATE case_facts SET retain_until = at + $span WHERE rule_id = $rule AND retain_until > at + $span;
                    """, tx);
                shorten.Parameters.AddWithValue("$rule", rule);
                shorten.Parameters.AddWithValue("$span", days * 86_400_000L);
                changed += shorten.ExecuteNonQuery();
            }
            using (var record = Command("DELETE FROM retention_applied; INSERT INTO retention_applied (agreement_hash) VALUES ($hash)", tx))
            {
                record.Parameters.AddWithValue("$hash", agreementHash);
                record.ExecuteNonQuery();
            }
            return changed;
        }, cancellationToken);
    }

    /// <summary>One acknowledged message id (an index on the id finds its row: migration 13).</summary>
    internal const string AcknowledgeSql = "UPDATE inbox SET acked = 1 WHERE message_id = $id AND acked = 0";

    public Task<int> AcknowledgeAsync(IReadOnlyList<Guid> messageIds, CancellationToken cancellationToken) =>
        WriteAsync(tx =>
        {
            var changed = 0;
            foreach (var id in messageIds)
            {
                using var command = Command(AcknowledgeSql, tx);
                command.Parameters.AddWithValue("$id", id.ToByteArray(bigEndian: true));
                changed += command.ExecuteNonQuery();
            }
            return changed;
        }, cancellationToken);

    private static InboxRecord? FindInbox(SqliteConnection connection, string sender, Guid messageId, SqliteTransaction? tx)
    {
        using var command = Command(connection, $"SELECT {InboxColumns} FROM inbox WHERE sender = $sender AND message_id = $id", tx);
        command.Parameters.AddWithValue("$sender", sender);
        command.Parameters.AddWithValue("$id", messageId.ToByteArray(bigEndian: true));
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadInbox(reader) : null;
    }

    private static InboxRecord ReadInbox(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        new Guid((byte[])reader[2], bigEndian: true),
        (byte[])reader[3],
        reader.GetString(4),
        reader.GetString(5),
        reader.GetString(6),
        reader.IsDBNull(7) ? [] : (byte[])reader[7],
        Time(reader.GetInt64(8)),
        Time(reader.GetInt64(9)),
        reader.GetInt64(10),
        (byte[])reader[11],
        reader.GetInt64(12) != 0);
}
