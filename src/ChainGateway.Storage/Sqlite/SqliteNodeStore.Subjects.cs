using ChainGateway.Core.Subjects;
using Microsoft.Data.Sqlite;

namespace ChainGateway.Storage.Sqlite;

/// <summary>The subject index (DESIGN.md §6): lookups are one primary-key read on (partner, pseudonym).</summary>
public sealed partial class SqliteNodeStore : ISubjectIndex
{
    private static readonly string[] SubjectTables = ["subject_links", "subjects"];
    private static readonly string[] GenerationTables = ["subject_pseudonyms", "subject_index_builds"];

    public Task<SubjectRegistrationResult> RegisterSubjectsAsync(IReadOnlyList<IndexedSubject> subjects, CancellationToken cancellationToken) =>
        WriteAsync(tx =>
        {
            using var upsert = Command("""
                INSERT INTO subjects (subject_key, sealed_id, contact, registered_at) VALUES ($key, $sealed, $contact, $at)
                ON CONFLICT (subject_key) DO UPDATE SET sealed_id = excluded.sealed_id, contact = excluded.contact
                """, tx);
            var key = upsert.Parameters.Add("$key", SqliteType.Blob);
            var sealedId = upsert.Parameters.Add("$sealed", SqliteType.Blob);
            var contact = upsert.Parameters.Add("$contact", SqliteType.Blob);
            var registeredAt = upsert.Parameters.Add("$at", SqliteType.Integer);
            using var insert = PseudonymInsert(tx);
            using var link = Command(ReceivedLinkSql, tx);
            var linkKey = link.Parameters.Add("$key", SqliteType.Blob);
            var linkPartner = link.Parameters.Add("$partner", SqliteType.Text);
            var linkPseudonym = link.Parameters.Add("$pseudonym", SqliteType.Blob);
            var linked = 0;
            foreach (var subject in subjects)
            {
                key.Value = subject.SubjectKey;
                sealedId.Value = subject.SealedId;
                contact.Value = subject.Contact;
                registeredAt.Value = Ticks(subject.RegisteredAt);
                upsert.ExecuteNonQuery();
                foreach (var p in subject.Pseudonyms)
                {
                    insert.Run(p.Partner, p.Pseudonym, p.Generation, subject.SubjectKey);
                    linkKey.Value = subject.SubjectKey;
                    linkPartner.Value = p.Partner;
                    linkPseudonym.Value = p.Pseudonym;
                    linked += link.ExecuteNonQuery();
                }
            }
            return new SubjectRegistrationResult(subjects.Count, linked);
        }, cancellationToken);

    public Task<int> RemoveSubjectsAsync(IReadOnlyList<IndexedSubject> subjects, CancellationToken cancellationToken) =>
        WriteAsync(tx =>
        {
            var removed = 0;
            foreach (var subject in subjects)
            {
                // Rows of key pairs no longer active are dropped with their generation (DropGenerationsAsync).
                foreach (var p in subject.Pseudonyms)
                {
                    using var pseudonym = Command("DELETE FROM subject_pseudonyms WHERE partner = $partner AND pseudonym = $pseudonym AND subject_key = $key", tx);
                    pseudonym.Parameters.AddWithValue("$partner", p.Partner);
                    pseudonym.Parameters.AddWithValue("$pseudonym", p.Pseudonym);
                    pseudonym.Parameters.AddWithValue("$key", subject.SubjectKey);
                    pseudonym.ExecuteNonQuery();
                }
                foreach (var table in SubjectTables)
                {
                    using var delete = Command($"DELETE FROM {table} WHERE subject_key = $key", tx);
                    delete.Parameters.AddWithValue("$key", subject.SubjectKey);
                    var changed = delete.ExecuteNonQuery();
                    removed += table == "subjects" ? changed : 0;
                }
            }
            return removed;
        }, cancellationToken);

    public Task<IReadOnlyList<LinkedInboxSignal>> GetLinkedSignalsAsync(byte[] subjectKey, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<LinkedInboxSignal>>(c =>
        {
            using var command = Command(c, """
                SELECT i.message_id, i.sender, i.signal_type, i.purpose, i.received_at, i.retain_until
                FROM subject_links l JOIN inbox i ON i.seq = l.seq WHERE l.subject_key = $key ORDER BY i.seq
                """);
            command.Parameters.AddWithValue("$key", subjectKey);
            using var reader = command.ExecuteReader();
            var rows = new List<LinkedInboxSignal>();
            while (reader.Read())
            {
                rows.Add(new LinkedInboxSignal(new Guid((byte[])reader[0], bigEndian: true), reader.GetString(1), reader.GetString(2),
                    reader.GetString(3), Time(reader.GetInt64(4)), Time(reader.GetInt64(5))));
            }
            return rows;
        }, cancellationToken);

    public Task<long> CountSubjectsAsync(CancellationToken cancellationToken) =>
        ReadAsync(c => (long)Scalar(c, "SELECT count(*) FROM subjects")!, cancellationToken);

    public Task<IReadOnlyList<SealedSubject>> ReadSubjectsAsync(byte[]? afterKey, int max, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<SealedSubject>>(c =>
        {
            using var command = Command(c, "SELECT subject_key, sealed_id FROM subjects WHERE subject_key > $after ORDER BY subject_key LIMIT $max");
            command.Parameters.AddWithValue("$after", afterKey ?? []);
            command.Parameters.AddWithValue("$max", max);
            using var reader = command.ExecuteReader();
            var rows = new List<SealedSubject>(max);
            while (reader.Read())
            {
                rows.Add(new SealedSubject((byte[])reader[0], (byte[])reader[1]));
            }
            return rows;
        }, cancellationToken);

    public Task AddPseudonymsAsync(string partner, string generation, IReadOnlyList<(byte[] SubjectKey, byte[] Pseudonym)> rows,
        IndexBuildState progress, CancellationToken cancellationToken) =>
        WriteAsync(tx =>
        {
            ArgumentNullException.ThrowIfNull(progress);
            // The page was read before this transaction: a subject removed since must get no row and no link (its removal
            // deleted only the rows there were then), so each row is written only while its subject is still registered.
            using var insert = PseudonymInsert(tx, registeredOnly: true);
            using var link = Command(ReceivedLinkSql, tx);
            var linkKey = link.Parameters.Add("$key", SqliteType.Blob);
            link.Parameters.AddWithValue("$partner", partner);
            var linkPseudonym = link.Parameters.Add("$pseudonym", SqliteType.Blob);
            foreach (var (subjectKey, pseudonym) in rows)
            {
                if (!insert.Run(partner, pseudonym, generation, subjectKey))
                {
                    continue;
                }
                linkKey.Value = subjectKey;
                linkPseudonym.Value = pseudonym;
                link.ExecuteNonQuery();
            }
            using var state = Command("""
                INSERT INTO subject_index_builds (partner, generation, indexed, total, complete, started_at, finished_at)
                VALUES ($partner, $generation, $indexed, $total, $complete, $started, $finished)
                ON CONFLICT (partner, generation) DO UPDATE SET indexed = excluded.indexed, total = excluded.total,
                    complete = excluded.complete, started_at = excluded.started_at, finished_at = excluded.finished_at
                """, tx);
            state.Parameters.AddWithValue("$partner", partner);
            state.Parameters.AddWithValue("$generation", generation);
            state.Parameters.AddWithValue("$indexed", progress.Indexed);
            state.Parameters.AddWithValue("$total", progress.Total);
            state.Parameters.AddWithValue("$complete", progress.Complete ? 1 : 0);
            state.Parameters.AddWithValue("$started", Ticks(progress.StartedAt));
            state.Parameters.AddWithValue("$finished", progress.FinishedAt is { } f ? Ticks(f) : DBNull.Value);
            return state.ExecuteNonQuery();
        }, cancellationToken);

    public Task<IReadOnlyList<IndexBuildState>> GetIndexBuildsAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<IndexBuildState>>(c =>
        {
            using var command = Command(c, "SELECT partner, generation, indexed, total, complete, started_at, finished_at FROM subject_index_builds ORDER BY partner, started_at");
            using var reader = command.ExecuteReader();
            var rows = new List<IndexBuildState>();
            while (reader.Read())
            {
                rows.Add(new IndexBuildState(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4) != 0,
                    Time(reader.GetInt64(5)), reader.IsDBNull(6) ? null : Time(reader.GetInt64(6))));
            }
            return rows;
        }, cancellationToken);

    public Task<int> DropGenerationsAsync(string partner, IReadOnlyCollection<string> keep, CancellationToken cancellationToken) =>
        WriteAsync(tx =>
        {
            var generations = new List<string>();
            using (var select = Command("SELECT DISTINCT generation FROM subject_index_builds WHERE partner = $partner", tx))
            {
                select.Parameters.AddWithValue("$partner", partner);
                using var reader = select.ExecuteReader();
                while (reader.Read())
                {
                    generations.Add(reader.GetString(0));
                }
            }
            var dropped = 0;
            foreach (var generation in generations.Where(g => !keep.Contains(g)))
            {
                foreach (var table in GenerationTables)
                {
                    using var delete = Command($"DELETE FROM {table} WHERE partner = $partner AND generation = $generation", tx);
                    delete.Parameters.AddWithValue("$partner", partner);
                    delete.Parameters.AddWithValue("$generation", generation);
                    dropped += delete.ExecuteNonQuery();
                }
            }
            return dropped;
        }, cancellationToken);

    // A subject registered (or indexed for a partner) after signals about it arrived is linked to them through the received
    // signals' case facts, which keep the pseudonyms each signal names (case_fact_subjects): one index of received
    // pseudonyms, not two. A received signal whose retention has ended has no case fact any more, so a subject registered
    // later is no longer linked to it.
    private static readonly string ReceivedLinkSql = $"""
        INSERT OR IGNORE INTO subject_links (subject_key, seq)
        SELECT $key, i.seq FROM case_fact_subjects s
            JOIN case_facts f ON f.id = s.fact_id AND f.direction = {(int)Contracts.V1.FactDirection.Received}
            JOIN inbox i ON i.sender = f.partner AND i.message_id = f.message_id
        WHERE s.partner = $partner AND s.pseudonym = $pseudonym
        """;

    /// <summary>Called by AcceptAsync in its transaction: links the subjects already known to the signal's pseudonyms.</summary>
    private static void LinkReceived(long sequence, string sender, IReadOnlyList<byte[]> pseudonyms, SqliteTransaction tx)
    {
        foreach (var pseudonym in pseudonyms)
        {
            using var link = Command("""
                INSERT OR IGNORE INTO subject_links (subject_key, seq)
                SELECT subject_key, $seq FROM subject_pseudonyms WHERE partner = $sender AND pseudonym = $pseudonym
                """, tx);
            link.Parameters.AddWithValue("$sender", sender);
            link.Parameters.AddWithValue("$pseudonym", pseudonym);
            link.Parameters.AddWithValue("$seq", sequence);
            link.ExecuteNonQuery();
        }
    }

    /// <summary>Writes one index row; with <paramref name="registeredOnly"/>, only while its subject is registered.</summary>
    private static PseudonymInsertCommand PseudonymInsert(SqliteTransaction tx, bool registeredOnly = false) => new(Command(registeredOnly
        ? """
            INSERT OR REPLACE INTO subject_pseudonyms (partner, pseudonym, generation, subject_key)
            SELECT $partner, $pseudonym, $generation, $key WHERE EXISTS (SELECT 1 FROM subjects WHERE subject_key = $key)
            """
        : """
            INSERT OR REPLACE INTO subject_pseudonyms (partner, pseudonym, generation, subject_key) VALUES ($partner, $pseudonym, $generation, $key)
            """, tx));

    private sealed class PseudonymInsertCommand : IDisposable
    {
        private readonly SqliteCommand command;
        private readonly SqliteParameter partner;
        private readonly SqliteParameter pseudonym;
        private readonly SqliteParameter generation;
        private readonly SqliteParameter key;

        public PseudonymInsertCommand(SqliteCommand command)
        {
            this.command = command;
            partner = command.Parameters.Add("$partner", SqliteType.Text);
            pseudonym = command.Parameters.Add("$pseudonym", SqliteType.Blob);
            generation = command.Parameters.Add("$generation", SqliteType.Text);
            key = command.Parameters.Add("$key", SqliteType.Blob);
        }

        /// <summary>True when the row was written.</summary>
        public bool Run(string partnerId, byte[] value, string generationId, byte[] subjectKey)
        {
            partner.Value = partnerId;
            pseudonym.Value = value;
            generation.Value = generationId;
            key.Value = subjectKey;
            return command.ExecuteNonQuery() > 0;
        }

        public void Dispose() => command.Dispose();
    }
}
