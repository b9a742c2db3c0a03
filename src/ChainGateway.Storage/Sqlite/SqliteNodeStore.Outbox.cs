using ChainGateway.Core.Cases;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;
using Microsoft.Data.Sqlite;
using Priority = ChainGateway.Contracts.V1.Priority;

namespace ChainGateway.Storage.Sqlite;

public sealed partial class SqliteNodeStore
{
    public Task EnqueueAsync(IReadOnlyList<OutboxEnvelope> envelopes, CancellationToken cancellationToken) =>
        EnqueueAsync(envelopes, [], cancellationToken);

    public Task EnqueueAsync(IReadOnlyList<OutboxEnvelope> envelopes, IReadOnlyList<MeasureReminder> reminders, CancellationToken cancellationToken) =>
        EnqueueAsync(envelopes, reminders, null, cancellationToken);

    public Task EnqueueAsync(IReadOnlyList<OutboxEnvelope> envelopes, IReadOnlyList<MeasureReminder> reminders, MeasureEnd? measureEnd,
        CancellationToken cancellationToken) =>
        WriteAsync(tx =>
        {
            foreach (var envelope in envelopes)
            {
                InsertOutbox(envelope, tx);
            }
            if (measureEnd is not null)
            {
                SupersedeReminders(measureEnd.MeasureId, null, measureEnd.ExpiresOn, tx);
            }
            foreach (var reminder in reminders)
            {
                ScheduleReminder(reminder, tx);
            }
            return 0;
        }, envelopes.Any(e => e.Priority == (int)Priority.Urgent) ? Priority.Urgent : Priority.Routine, cancellationToken);

    private static void InsertOutbox(OutboxEnvelope envelope, SqliteTransaction tx)
    {
        using var command = Command("""
            INSERT INTO outbox (message_id, recipient, priority, envelope, envelope_hash, created_at, expires_at,
                state, attempts, next_attempt_at)
            VALUES ($id, $recipient, $priority, $envelope, $hash, $created, $expires, $state, 0, $created)
            """, tx);
        command.Parameters.AddWithValue("$id", envelope.MessageId.ToByteArray(bigEndian: true));
        command.Parameters.AddWithValue("$recipient", envelope.Recipient);
        command.Parameters.AddWithValue("$priority", envelope.Priority);
        command.Parameters.AddWithValue("$envelope", envelope.Envelope);
        command.Parameters.AddWithValue("$hash", envelope.EnvelopeHash);
        command.Parameters.AddWithValue("$created", Ticks(envelope.CreatedAt));
        command.Parameters.AddWithValue("$expires", Ticks(envelope.ExpiresAt));
        command.Parameters.AddWithValue("$state", (int)OutboxState.Queued);
        command.ExecuteNonQuery();
        if (envelope.SentEntry is not null)
        {
            Append(envelope.SentEntry, tx);
        }
        if (envelope.Fact is not null)
        {
            InsertFact(envelope.Fact, envelope.Fact.At, tx);
        }
    }

    public Task<IReadOnlyList<OutboxEnvelope>> GetDueAsync(string recipient, DateTimeOffset now, int max, CancellationToken cancellationToken,
        OutboxLane lane = OutboxLane.All) =>
        ReadAsync<IReadOnlyList<OutboxEnvelope>>(c =>
        {
            using var command = Command(c, """
                SELECT message_id, recipient, priority, envelope, envelope_hash, created_at, expires_at, attempts
                FROM outbox WHERE recipient = $recipient AND state = $queued AND next_attempt_at <= $now
                    AND priority BETWEEN $lowest AND $highest
                ORDER BY priority DESC, created_at LIMIT $max
                """);
            command.Parameters.AddWithValue("$recipient", recipient);
            command.Parameters.AddWithValue("$queued", (int)OutboxState.Queued);
            command.Parameters.AddWithValue("$now", Ticks(now));
            command.Parameters.AddWithValue("$max", max);
            AddLane(command, lane);
            using var reader = command.ExecuteReader();
            var rows = new List<OutboxEnvelope>();
            while (reader.Read())
            {
                rows.Add(new OutboxEnvelope(
                    new Guid((byte[])reader[0], bigEndian: true),
                    reader.GetString(1),
                    reader.GetInt32(2),
                    (byte[])reader[3],
                    (byte[])reader[4],
                    Time(reader.GetInt64(5)),
                    Time(reader.GetInt64(6)),
                    reader.GetInt32(7),
                    null));
            }
            return rows;
        }, cancellationToken);

    public Task<DateTimeOffset?> GetNextDueAsync(string recipient, CancellationToken cancellationToken, OutboxLane lane = OutboxLane.All) =>
        ReadAsync<DateTimeOffset?>(c =>
        {
            using var command = Command(c, """
                SELECT MIN(next_attempt_at) FROM outbox
                WHERE recipient = $recipient AND state = $queued AND priority BETWEEN $lowest AND $highest
                """);
            command.Parameters.AddWithValue("$recipient", recipient);
            command.Parameters.AddWithValue("$queued", (int)OutboxState.Queued);
            AddLane(command, lane);
            return command.ExecuteScalar() is long millis ? Time(millis) : null;
        }, cancellationToken);

    public Task<bool> MarkDeliveredAsync(Guid messageId, byte[] receipt, LogEntry entry, CancellationToken cancellationToken,
        Priority priority = Priority.Routine) =>
        WriteAsync(tx =>
        {
            using var command = Command(
                "UPDATE outbox SET state = $state, receipt = $receipt, envelope = X'', attempts = attempts + 1, last_error = NULL WHERE message_id = $id AND state = $queued",
                tx);
            command.Parameters.AddWithValue("$state", (int)OutboxState.Delivered);
            command.Parameters.AddWithValue("$queued", (int)OutboxState.Queued);
            command.Parameters.AddWithValue("$receipt", receipt);
            command.Parameters.AddWithValue("$id", messageId.ToByteArray(bigEndian: true));
            if (command.ExecuteNonQuery() != 1)
            {
                return false;
            }
            Append(entry, tx);
            return true;
        }, priority, cancellationToken);

    public Task MarkRetryAsync(Guid messageId, string failure, DateTimeOffset nextAttempt, CancellationToken cancellationToken) =>
        WriteAsync(tx =>
        {
            using var command = Command(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $error, next_attempt_at = $next WHERE message_id = $id AND state = $queued",
                tx);
            command.Parameters.AddWithValue("$error", failure);
            command.Parameters.AddWithValue("$next", Ticks(nextAttempt));
            command.Parameters.AddWithValue("$queued", (int)OutboxState.Queued);
            command.Parameters.AddWithValue("$id", messageId.ToByteArray(bigEndian: true));
            return command.ExecuteNonQuery();
        }, cancellationToken);

    public Task<bool> MarkDeadLetterAsync(Guid messageId, string failure, LogEntry entry, CancellationToken cancellationToken,
        Priority priority = Priority.Routine) =>
        WriteAsync(tx =>
        {
            using var command = Command(
                "UPDATE outbox SET state = $state, envelope = X'', attempts = attempts + 1, last_error = $error WHERE message_id = $id AND state = $queued",
                tx);
            command.Parameters.AddWithValue("$state", (int)OutboxState.DeadLetter);
            command.Parameters.AddWithValue("$queued", (int)OutboxState.Queued);
            command.Parameters.AddWithValue("$error", failure);
            command.Parameters.AddWithValue("$id", messageId.ToByteArray(bigEndian: true));
            if (command.ExecuteNonQuery() != 1)
            {
                return false;
            }
            Append(entry, tx);
            return true;
        }, priority, cancellationToken);

    public Task<OutboxStatus?> GetOutboxStatusAsync(Guid messageId, CancellationToken cancellationToken) =>
        ReadAsync(c =>
        {
            using var command = Command(c, "SELECT recipient, state, attempts, last_error, receipt FROM outbox WHERE message_id = $id");
            command.Parameters.AddWithValue("$id", messageId.ToByteArray(bigEndian: true));
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new OutboxStatus(messageId, reader.GetString(0), (OutboxState)reader.GetInt32(1), reader.GetInt32(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : (byte[])reader[4])
                : null;
        }, cancellationToken);

    public Task<OutboxSummary> GetOutboxSummaryAsync(int maxDeadLetters, CancellationToken cancellationToken) =>
        ReadAsync(c =>
        {
            var counts = new List<OutboxCount>();
            using (var command = Command(c, "SELECT recipient, state, COUNT(*) FROM outbox GROUP BY recipient, state ORDER BY recipient, state"))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    counts.Add(new OutboxCount(reader.GetString(0), (OutboxState)reader.GetInt32(1), reader.GetInt64(2)));
                }
            }
            var dead = new List<OutboxStatus>();
            using (var command = Command(c, """
                SELECT message_id, recipient, attempts, last_error FROM outbox WHERE state = $dead ORDER BY created_at DESC LIMIT $max
                """))
            {
                command.Parameters.AddWithValue("$dead", (int)OutboxState.DeadLetter);
                command.Parameters.AddWithValue("$max", maxDeadLetters);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    dead.Add(new OutboxStatus(new Guid((byte[])reader[0], bigEndian: true), reader.GetString(1), OutboxState.DeadLetter,
                        reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3), null));
                }
            }
            return new OutboxSummary(counts, dead);
        }, cancellationToken);

    private static void AddLane(SqliteCommand command, OutboxLane lane)
    {
        var (lowest, highest) = lane switch
        {
            OutboxLane.Urgent => ((int)Priority.Urgent, int.MaxValue),
            OutboxLane.Routine => (int.MinValue, (int)Priority.Urgent - 1),
            _ => (int.MinValue, int.MaxValue),
        };
        command.Parameters.AddWithValue("$lowest", lowest);
        command.Parameters.AddWithValue("$highest", highest);
    }
}
