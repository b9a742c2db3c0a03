using ChainGateway.Core.SharingLog;
using Microsoft.Data.Sqlite;

namespace ChainGateway.Storage.Sqlite;

public sealed partial class SqliteNodeStore
{
    public Task<long> AppendLogAsync(LogEntry entry, CancellationToken cancellationToken) =>
        WriteAsync(tx =>
        {
            try
            {
                return Append(entry, tx);
            }
            catch (SqliteException e) when (e.SqliteExtendedErrorCode == SqliteConstraintUnique)
            {
                // Migration 8: an answered match query's id once per asking partner.
                throw new Core.Delivery.DuplicateLogEntryException(
                    $"a {entry.Event} entry for '{entry.Partner}' with message id {entry.MessageId} is already in the log", e);
            }
        }, cancellationToken);

    /// <summary>SQLITE_CONSTRAINT_UNIQUE, the extended result code of a unique index's refusal.</summary>
    private const int SqliteConstraintUnique = 2067;

    public Task<IReadOnlyList<LogEntry>> ReadLogAsync(long fromIndex, int max, CancellationToken cancellationToken) =>
        ReadEntriesAsync("WHERE idx >= $from ORDER BY idx LIMIT $max", fromIndex, max, cancellationToken);

    // The operator's alerts: read through a partial index (migration 5) holding only these entries, so the status
    // call costs the same whatever the log's size.
    public Task<IReadOnlyList<LogEntry>> ReadWitnessAlertsAsync(int max, CancellationToken cancellationToken) =>
        ReadEntriesAsync("WHERE event = 'WitnessRefused' ORDER BY idx DESC LIMIT $max", 0, max, cancellationToken);

    private const string LogColumns = """
        idx, time, event, partner, user_id, purpose, processing_activity, rule_id, signal_type,
        subject_pseudonym, message_id, envelope_hash, outcome, reason_code, detail,
        trace_id, span_id, foreign_trace_id, foreign_span_id, leaf_hash
        """;

    private Task<IReadOnlyList<LogEntry>> ReadEntriesAsync(string where, long fromIndex, int max, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<LogEntry>>(c =>
        {
            using var command = Command(c, $"SELECT {LogColumns} FROM sharing_log {where}");
            if (where.Contains("$from", StringComparison.Ordinal))
            {
                command.Parameters.AddWithValue("$from", fromIndex);
            }
            command.Parameters.AddWithValue("$max", max);
            using var reader = command.ExecuteReader();
            var entries = new List<LogEntry>();
            while (reader.Read())
            {
                entries.Add(ReadEntry(reader));
            }
            return entries;
        }, cancellationToken);

    private static LogEntry ReadEntry(SqliteDataReader reader) => new()
    {
        Index = reader.GetInt64(0),
        Time = Time(reader.GetInt64(1)),
        Event = Enum.Parse<LogEvent>(reader.GetString(2)),
        Partner = NullableString(reader, 3),
        User = NullableString(reader, 4),
        Purpose = NullableString(reader, 5),
        ProcessingActivity = NullableString(reader, 6),
        RuleId = NullableString(reader, 7),
        SignalType = NullableString(reader, 8),
        SubjectPseudonym = NullableString(reader, 9),
        MessageId = reader.IsDBNull(10) ? null : new Guid((byte[])reader[10], bigEndian: true),
        EnvelopeHash = reader.IsDBNull(11) ? null : (byte[])reader[11],
        Outcome = reader.GetString(12),
        ReasonCode = NullableString(reader, 13),
        Detail = NullableString(reader, 14),
        TraceId = NullableString(reader, 15),
        SpanId = NullableString(reader, 16),
        ForeignTraceId = NullableString(reader, 17),
        ForeignSpanId = NullableString(reader, 18),
        LeafHash = (byte[])reader[19],
    };

    private static long Append(LogEntry entry, SqliteTransaction tx)
    {
        // An entry over an entry bundle's uint16 length could never be served to partners: its text is cut to fit
        // (marked as cut) rather than the entry refused, since an exchange is never unlogged.
        entry = LogEntryEncoding.FitToLimit(entry);
        using var command = Command("""
            INSERT INTO sharing_log (time, event, partner, user_id, purpose, processing_activity, rule_id, signal_type,
                subject_pseudonym, message_id, envelope_hash, outcome, reason_code, detail, trace_id, span_id,
                foreign_trace_id, foreign_span_id, leaf_hash)
            VALUES ($time, $event, $partner, $user, $purpose, $activity, $rule, $signal, $subject, $message, $hash,
                $outcome, $reason, $detail, $trace, $span, $ftrace, $fspan, $leaf)
            RETURNING idx
            """, tx);
        var p = command.Parameters;
        p.AddWithValue("$time", Ticks(entry.Time));
        p.AddWithValue("$event", entry.Event.ToString());
        p.AddWithValue("$partner", (object?)entry.Partner ?? DBNull.Value);
        p.AddWithValue("$user", (object?)entry.User ?? DBNull.Value);
        p.AddWithValue("$purpose", (object?)entry.Purpose ?? DBNull.Value);
        p.AddWithValue("$activity", (object?)entry.ProcessingActivity ?? DBNull.Value);
        p.AddWithValue("$rule", (object?)entry.RuleId ?? DBNull.Value);
        p.AddWithValue("$signal", (object?)entry.SignalType ?? DBNull.Value);
        p.AddWithValue("$subject", (object?)entry.SubjectPseudonym ?? DBNull.Value);
        p.AddWithValue("$message", entry.MessageId is { } id ? id.ToByteArray(bigEndian: true) : DBNull.Value);
        p.AddWithValue("$hash", (object?)entry.EnvelopeHash ?? DBNull.Value);
        p.AddWithValue("$outcome", entry.Outcome);
        p.AddWithValue("$reason", (object?)entry.ReasonCode ?? DBNull.Value);
        p.AddWithValue("$detail", (object?)entry.Detail ?? DBNull.Value);
        p.AddWithValue("$trace", (object?)entry.TraceId ?? DBNull.Value);
        p.AddWithValue("$span", (object?)entry.SpanId ?? DBNull.Value);
        p.AddWithValue("$ftrace", (object?)entry.ForeignTraceId ?? DBNull.Value);
        p.AddWithValue("$fspan", (object?)entry.ForeignSpanId ?? DBNull.Value);
        // The leaf commits to exactly what is stored: the time at the millisecond the column keeps.
        var stored = entry with { Time = Time(Ticks(entry.Time)) };
        p.AddWithValue("$leaf", MerkleTree.HashLeaf(LogEntryEncoding.Encode(stored)));
        return (long)command.ExecuteScalar()!;
    }

    private static string? NullableString(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public Task<IReadOnlyList<byte[]>> ReadLeafHashesAsync(long fromIndex, int max, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<byte[]>>(c =>
        {
            using var command = Command(c, "SELECT leaf_hash FROM sharing_log WHERE idx >= $from ORDER BY idx LIMIT $max");
            command.Parameters.AddWithValue("$from", fromIndex);
            command.Parameters.AddWithValue("$max", max);
            using var reader = command.ExecuteReader();
            var leaves = new List<byte[]>();
            while (reader.Read())
            {
                leaves.Add((byte[])reader[0]);
            }
            return leaves;
        }, cancellationToken);

    // A checkpoint is stored once per size. Signing the same size again (after a restart) must give the same root; a
    // different one means the entries under the stored checkpoint changed, which is refused, not ignored.
    public Task<string> AppendCheckpointAsync(long size, byte[] root, string note, DateTimeOffset time, CancellationToken cancellationToken) =>
        WriteAsync(tx =>
        {
            using (var insert = Command("INSERT INTO checkpoints (size, root, note, created_at) VALUES ($size, $root, $note, $at) ON CONFLICT (size) DO NOTHING", tx))
            {
                insert.Parameters.AddWithValue("$size", size);
                insert.Parameters.AddWithValue("$root", root);
                insert.Parameters.AddWithValue("$note", note);
                insert.Parameters.AddWithValue("$at", Ticks(time));
                insert.ExecuteNonQuery();
            }
            using var stored = Command("SELECT root, note FROM checkpoints WHERE size = $size", tx);
            stored.Parameters.AddWithValue("$size", size);
            using var reader = stored.ExecuteReader();
            reader.Read();
            var storedRoot = (byte[])reader[0];
            if (!storedRoot.AsSpan().SequenceEqual(root))
            {
                throw new Core.Delivery.CheckpointConflictException(
                    $"a checkpoint of size {size} with root {Convert.ToHexStringLower(storedRoot)} is stored already; refused the one with root {Convert.ToHexStringLower(root)}");
            }
            return reader.GetString(1);
        }, cancellationToken);

    public Task<string?> ReadLatestCheckpointAsync(CancellationToken cancellationToken) =>
        ReadAsync(c =>
        {
            using var command = Command(c, "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1");
            return command.ExecuteScalar() as string;
        }, cancellationToken);

    public Task<IReadOnlyList<string>> ReadCheckpointsAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<string>>(c =>
        {
            using var command = Command(c, "SELECT note FROM checkpoints ORDER BY size");
            using var reader = command.ExecuteReader();
            var notes = new List<string>();
            while (reader.Read())
            {
                notes.Add(reader.GetString(0));
            }
            return notes;
        }, cancellationToken);
}
