using System.Globalization;
using System.Text;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Cases;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;
using Microsoft.Data.Sqlite;

namespace ChainGateway.Storage.Sqlite;

/// <summary>The case overview's facts and the measure-expiry reminders.</summary>
public sealed partial class SqliteNodeStore
{
    private enum ReminderState
    {
        Pending = 0,
        Sent = 1,
        Superseded = 2,
        Dropped = 3,
    }

    // A fact's CreatedAt (when its sender made the signal, which the overview orders by) is not a column of its own: a
    // received fact's is its inbox row's created_at (written in the same transaction; inbox rows are never deleted, a
    // purge only empties their body), a sent fact's is when it was sent (at). GetCaseFactsAsync reads it back from there.
    private static void InsertFact(CaseFact fact, DateTimeOffset createdAt, SqliteTransaction tx)
    {
        if (fact.CreatedAt != createdAt)
        {
            throw new ArgumentException($"the fact's created-at {fact.CreatedAt:O} is not its envelope's {createdAt:O}", nameof(fact));
        }
        long id;
        using (var command = Command("""
            INSERT INTO case_facts (direction, partner, message_id, signal_type, purpose, rule_id, at, retain_until, payload)
            VALUES ($direction, $partner, $id, $signal, $purpose, $rule, $at, $retain, $payload) RETURNING id
            """, tx))
        {
            var p = command.Parameters;
            p.AddWithValue("$direction", (int)fact.Direction);
            p.AddWithValue("$partner", fact.Partner);
            p.AddWithValue("$id", fact.MessageId.ToByteArray(bigEndian: true));
            p.AddWithValue("$signal", fact.SignalType);
            p.AddWithValue("$purpose", fact.Purpose);
            p.AddWithValue("$rule", fact.RuleId);
            p.AddWithValue("$at", Ticks(fact.At));
            p.AddWithValue("$retain", Ticks(fact.RetainUntil));
            p.AddWithValue("$payload", fact.Payload);
            id = (long)command.ExecuteScalar()!;
        }
        foreach (var pseudonym in fact.Subjects.Distinct(ByteArrayComparer.Instance))
        {
            using var subject = Command("INSERT OR IGNORE INTO case_fact_subjects (partner, pseudonym, fact_id) VALUES ($partner, $pseudonym, $fact)", tx);
            subject.Parameters.AddWithValue("$partner", fact.Partner);
            subject.Parameters.AddWithValue("$pseudonym", pseudonym);
            subject.Parameters.AddWithValue("$fact", id);
            subject.ExecuteNonQuery();
        }
    }

    // Retention (DESIGN.md §5) holds for the overview's copies too: received copies go with their inbox body (whose
    // purge is logged there); sent copies get a 'purged' entry of their own. Returns the sent copies purged (logged) and
    // all copies deleted: the caller goes on while either its bodies or these copies had anything left.
    private static (int Sent, int All) PurgeFacts(DateTimeOffset now, SqliteTransaction tx)
    {
        var expired = new List<(long Id, int Direction, string Partner, byte[] MessageId, string RuleId, string SignalType, string Purpose)>();
        using (var select = Command("""
            SELECT id, direction, partner, message_id, rule_id, signal_type, purpose FROM case_facts
            WHERE retain_until <= $now ORDER BY id LIMIT 1000
            """, tx))
        {
            select.Parameters.AddWithValue("$now", Ticks(now));
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                expired.Add((reader.GetInt64(0), reader.GetInt32(1), reader.GetString(2), (byte[])reader[3], reader.GetString(4), reader.GetString(5), reader.GetString(6)));
            }
        }
        var purgedSent = 0;
        foreach (var row in expired)
        {
            using (var delete = Command("DELETE FROM case_fact_subjects WHERE fact_id = $id; DELETE FROM case_facts WHERE id = $id", tx))
            {
                delete.Parameters.AddWithValue("$id", row.Id);
                delete.ExecuteNonQuery();
            }
            if (row.Direction != (int)FactDirection.Sent)
            {
                continue;
            }
            purgedSent++;
            Append(new LogEntry
            {
                Time = now,
                Event = LogEvent.Purged,
                Partner = row.Partner,
                RuleId = row.RuleId,
                SignalType = row.SignalType,
                Purpose = row.Purpose,
                MessageId = new Guid(row.MessageId, bigEndian: true),
                Outcome = "ok",
                Detail = "retention ended: the sent signal's case-overview copy deleted",
            }, tx);
        }
        return (purgedSent, expired.Count);
    }

    public Task<IReadOnlyList<CaseFact>> GetCaseFactsAsync(IReadOnlyList<(string Partner, byte[] Pseudonym)> subjects, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<CaseFact>>(c =>
        {
            var facts = new Dictionary<long, CaseFact>();
            foreach (var (partner, pseudonym) in subjects)
            {
                using var command = Command(c, """
                    SELECT f.id, f.direction, f.partner, f.message_id, f.signal_type, f.purpose, f.rule_id, f.at, f.retain_until, f.payload,
                        COALESCE(i.created_at, f.at)
                    FROM case_fact_subjects s JOIN case_facts f ON f.id = s.fact_id
                        LEFT JOIN inbox i ON f.direction = $received AND i.sender = f.partner AND i.message_id = f.message_id
                    WHERE s.partner = $partner AND s.pseudonym = $pseudonym
                    """);
                command.Parameters.AddWithValue("$received", (int)FactDirection.Received);
                command.Parameters.AddWithValue("$partner", partner);
                command.Parameters.AddWithValue("$pseudonym", pseudonym);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    facts.TryAdd(reader.GetInt64(0), new CaseFact(
                        (FactDirection)reader.GetInt32(1),
                        reader.GetString(2),
                        new Guid((byte[])reader[3], bigEndian: true),
                        reader.GetString(4),
                        reader.GetString(5),
                        reader.GetString(6),
                        Time(reader.GetInt64(7)),
                        Time(reader.GetInt64(8)),
                        (byte[])reader[9],
                        [pseudonym],
                        Time(reader.GetInt64(10))));
                }
            }
            return [.. facts.Values];
        }, cancellationToken);

    /// <summary>Pending reminders of the measure (for <paramref name="recipient"/>, or for anyone) with another end date are superseded.</summary>
    private static void SupersedeReminders(string measureId, string? recipient, DateOnly expiresOn, SqliteTransaction tx)
    {
        using var supersede = Command("""
            UPDATE measure_reminders SET state = $superseded, payload = X''
            WHERE measure_id = $measure AND ($recipient IS NULL OR recipient = $recipient) AND expires_on <> $expires AND state = $pending
            """, tx);
        supersede.Parameters.AddWithValue("$superseded", (int)ReminderState.Superseded);
        supersede.Parameters.AddWithValue("$measure", measureId);
        supersede.Parameters.AddWithValue("$recipient", (object?)recipient ?? DBNull.Value);
        supersede.Parameters.AddWithValue("$expires", DateText(expiresOn));
        supersede.Parameters.AddWithValue("$pending", (int)ReminderState.Pending);
        supersede.ExecuteNonQuery();
    }

    private static void ScheduleReminder(MeasureReminder reminder, SqliteTransaction tx)
    {
        // A measure re-sent with a new end date (an extension) replaces the reminders of its old end date.
        SupersedeReminders(reminder.MeasureId, reminder.Recipient, reminder.ExpiresOn, tx);
        // An end date changed and then changed back gets its reminders again: the superseded ones of that end are pending
        // once more (with the plan of this send). One already sent or dropped stays so: it is never sent twice.
        using var command = Command("""
            INSERT INTO measure_reminders (measure_id, expires_on, recipient, lead_days, due_at, purpose, rule_id, payload, state)
            VALUES ($measure, $expires, $recipient, $lead, $due, $purpose, $rule, $payload, $pending)
            ON CONFLICT (measure_id, expires_on, recipient, purpose, lead_days) DO UPDATE
                SET due_at = excluded.due_at, rule_id = excluded.rule_id, payload = excluded.payload, state = excluded.state
                WHERE measure_reminders.state = $superseded
            """, tx);
        var p = command.Parameters;
        p.AddWithValue("$measure", reminder.MeasureId);
        p.AddWithValue("$expires", DateText(reminder.ExpiresOn));
        p.AddWithValue("$recipient", reminder.Recipient);
        p.AddWithValue("$lead", reminder.LeadDays);
        p.AddWithValue("$due", Ticks(reminder.DueAt));
        p.AddWithValue("$purpose", reminder.Purpose);
        p.AddWithValue("$rule", reminder.RuleId);
        p.AddWithValue("$payload", reminder.Payload);
        p.AddWithValue("$pending", (int)ReminderState.Pending);
        p.AddWithValue("$superseded", (int)ReminderState.Superseded);
        command.ExecuteNonQuery();
    }

    public Task<IReadOnlyList<MeasureReminder>> GetDueRemindersAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<MeasureReminder>>(c =>
        {
            using var command = Command(c, """
                SELECT measure_id, expires_on, recipient, lead_days, due_at, purpose, rule_id, payload FROM measure_reminders
                WHERE state = $pending AND due_at <= $now ORDER BY due_at LIMIT $max
                """);
            command.Parameters.AddWithValue("$pending", (int)ReminderState.Pending);
            command.Parameters.AddWithValue("$now", Ticks(now));
            command.Parameters.AddWithValue("$max", max);
            using var reader = command.ExecuteReader();
            var due = new List<MeasureReminder>();
            while (reader.Read())
            {
                due.Add(new MeasureReminder(reader.GetString(0), DateOnly.ParseExact(reader.GetString(1), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                    reader.GetString(2), reader.GetInt32(3), Time(reader.GetInt64(4)), reader.GetString(5), reader.GetString(6), (byte[])reader[7]));
            }
            return due;
        }, cancellationToken);

    public Task<DateTimeOffset?> GetNextReminderDueAsync(CancellationToken cancellationToken) =>
        ReadAsync<DateTimeOffset?>(c =>
        {
            using var command = Command(c, "SELECT MIN(due_at) FROM measure_reminders WHERE state = $pending");
            command.Parameters.AddWithValue("$pending", (int)ReminderState.Pending);
            return command.ExecuteScalar() is long millis ? Time(millis) : null;
        }, cancellationToken);

    public Task<bool> FireReminderAsync(MeasureReminder reminder, OutboxEnvelope? envelope, LogEntry? refusal, CancellationToken cancellationToken) =>
        WriteAsync(tx =>
        {
            using (var mark = Command("""
                UPDATE measure_reminders SET state = $state, message_id = $message, payload = X''
                WHERE measure_id = $measure AND expires_on = $expires AND recipient = $recipient AND purpose = $purpose AND lead_days = $lead
                    AND state = $pending
                """, tx))
            {
                var p = mark.Parameters;
                p.AddWithValue("$state", (int)(envelope is null ? ReminderState.Dropped : ReminderState.Sent));
                p.AddWithValue("$message", envelope is null ? DBNull.Value : envelope.MessageId.ToByteArray(bigEndian: true));
                p.AddWithValue("$measure", reminder.MeasureId);
                p.AddWithValue("$expires", DateText(reminder.ExpiresOn));
                p.AddWithValue("$recipient", reminder.Recipient);
                p.AddWithValue("$purpose", reminder.Purpose);
                p.AddWithValue("$lead", reminder.LeadDays);
                p.AddWithValue("$pending", (int)ReminderState.Pending);
                if (mark.ExecuteNonQuery() != 1)
                {
                    return false;
                }
            }
            if (envelope is not null)
            {
                InsertOutbox(envelope, tx);
            }
            else if (refusal is not null)
            {
                Append(refusal, tx);
            }
            return true;
        }, cancellationToken);

    private static string DateText(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => Convert.ToBase64String(obj).GetHashCode(StringComparison.Ordinal);
    }
}
