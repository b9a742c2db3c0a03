namespace ChainGateway.Storage.Sqlite;

/// <summary>Migrations, applied in order; user_version records how far a database is.</summary>
internal static class SqliteSchema
{
    public static readonly string[] Migrations =
    [
        """
        CREATE TABLE outbox (
            message_id      BLOB    NOT NULL PRIMARY KEY,
            recipient       TEXT    NOT NULL,
            priority        INTEGER NOT NULL,
            envelope        BLOB    NOT NULL,
            envelope_hash   BLOB    NOT NULL,
            created_at      INTEGER NOT NULL,
            expires_at      INTEGER NOT NULL,
            state           INTEGER NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            last_error      TEXT,
            receipt         BLOB
        ) WITHOUT ROWID;
        CREATE INDEX outbox_due ON outbox (recipient, state, priority DESC, created_at);
        CREATE INDEX outbox_next ON outbox (recipient, state, next_attempt_at);

        CREATE TABLE inbox (
            seq           INTEGER PRIMARY KEY AUTOINCREMENT,
            sender        TEXT    NOT NULL,
            message_id    BLOB    NOT NULL,
            envelope_hash BLOB    NOT NULL,
            signal_type   TEXT    NOT NULL,
            purpose       TEXT    NOT NULL,
            rule_id       TEXT    NOT NULL,
            payload       BLOB,
            created_at    INTEGER NOT NULL,
            received_at   INTEGER NOT NULL,
            retain_until  INTEGER NOT NULL,
            log_index     INTEGER NOT NULL,
            receipt       BLOB    NOT NULL,
            acked         INTEGER NOT NULL DEFAULT 0,
            UNIQUE (sender, message_id)
        );
        CREATE INDEX inbox_unacked ON inbox (acked, seq);

        CREATE TABLE sharing_log (
            idx                 INTEGER PRIMARY KEY,
            time                INTEGER NOT NULL,
            event               TEXT    NOT NULL,
            partner             TEXT,
            user_id             TEXT,
            purpose             TEXT,
            processing_activity TEXT,
            rule_id             TEXT,
            signal_type         TEXT,
            subject_pseudonym   TEXT,
            message_id          BLOB,
            envelope_hash       BLOB,
            outcome             TEXT    NOT NULL,
            reason_code         TEXT,
            detail              TEXT,
            trace_id            TEXT,
            span_id             TEXT,
            foreign_trace_id    TEXT,
            foreign_span_id     TEXT,
            leaf_hash           BLOB    NOT NULL
        );

        CREATE TABLE checkpoints (
            size       INTEGER PRIMARY KEY,
            root       BLOB    NOT NULL,
            note       TEXT    NOT NULL,
            created_at INTEGER NOT NULL
        );
        """,
        // 2: the case overview's facts (signals sent and received, as on the wire) and the measure-expiry reminders.
        """
        CREATE TABLE case_facts (
            id           INTEGER PRIMARY KEY,
            direction    INTEGER NOT NULL,
            partner      TEXT    NOT NULL,
            message_id   BLOB    NOT NULL,
            signal_type  TEXT    NOT NULL,
            purpose      TEXT    NOT NULL,
            rule_id      TEXT    NOT NULL,
            at           INTEGER NOT NULL,
            retain_until INTEGER NOT NULL,
            payload      BLOB    NOT NULL
        );
        CREATE INDEX case_facts_retention ON case_facts (retain_until);

        CREATE TABLE case_fact_subjects (
            partner   TEXT    NOT NULL,
            pseudonym BLOB    NOT NULL,
            fact_id   INTEGER NOT NULL,
            PRIMARY KEY (partner, pseudonym, fact_id)
        ) WITHOUT ROWID;
        CREATE INDEX case_fact_subjects_fact ON case_fact_subjects (fact_id);

        CREATE TABLE measure_reminders (
            measure_id  TEXT    NOT NULL,
            expires_on  TEXT    NOT NULL,
            recipient   TEXT    NOT NULL,
            lead_days   INTEGER NOT NULL,
            due_at      INTEGER NOT NULL,
            purpose     TEXT    NOT NULL,
            rule_id     TEXT    NOT NULL,
            payload     BLOB    NOT NULL,
            state       INTEGER NOT NULL,
            message_id  BLOB,
            PRIMARY KEY (measure_id, expires_on, recipient, lead_days)
        ) WITHOUT ROWID;
        CREATE INDEX measure_reminders_due ON measure_reminders (state, due_at);
        """,
        // 3: sharing-log witnessing (C2SP tlog-cosignature): partners' cosignatures of our checkpoints, and the
        // partners' checkpoints this node verified and cosigned as their witness.
        """
        CREATE TABLE cosignatures (
            size        INTEGER NOT NULL,
            witness     TEXT    NOT NULL,
            timestamp   INTEGER NOT NULL,
            line        TEXT    NOT NULL,
            received_at INTEGER NOT NULL,
            PRIMARY KEY (size, witness)
        );

        CREATE TABLE witnessed (
            partner     TEXT    NOT NULL,
            size        INTEGER NOT NULL,
            root        BLOB    NOT NULL,
            note        TEXT    NOT NULL,
            cosigned_at INTEGER NOT NULL,
            PRIMARY KEY (partner, size)
        );
        """,
        // Subject matching (DESIGN.md §6): no identifier in clear — subject_key is a keyed hash, sealed_id an AEAD box.
        """
        CREATE TABLE subjects (
            subject_key   BLOB    NOT NULL PRIMARY KEY,
            sealed_id     BLOB    NOT NULL,
            contact       BLOB    NOT NULL,
            registered_at INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE subject_pseudonyms (
            partner     TEXT NOT NULL,
            pseudonym   BLOB NOT NULL,
            generation  TEXT NOT NULL,
            subject_key BLOB NOT NULL,
            PRIMARY KEY (partner, pseudonym)
        ) WITHOUT ROWID;

        CREATE TABLE subject_index_builds (
            partner     TEXT    NOT NULL,
            generation  TEXT    NOT NULL,
            indexed     INTEGER NOT NULL,
            total       INTEGER NOT NULL,
            complete    INTEGER NOT NULL,
            started_at  INTEGER NOT NULL,
            finished_at INTEGER,
            PRIMARY KEY (partner, generation)
        ) WITHOUT ROWID;

        CREATE TABLE inbox_pseudonyms (
            sender    TEXT    NOT NULL,
            pseudonym BLOB    NOT NULL,
            seq       INTEGER NOT NULL,
            PRIMARY KEY (sender, pseudonym, seq)
        ) WITHOUT ROWID;

        CREATE TABLE subject_links (
            subject_key BLOB    NOT NULL,
            seq         INTEGER NOT NULL,
            PRIMARY KEY (subject_key, seq)
        ) WITHOUT ROWID;
        """,
        // 5: the operator's witness alerts, found without scanning the log (a partial index: only those entries).
        """
        CREATE INDEX sharing_log_witness_alerts ON sharing_log (idx) WHERE event = 'WitnessRefused';
        """,
        // 6: received signals' pseudonyms were kept twice (inbox_pseudonyms and case_fact_subjects, written in the same
        // transaction); registration now links through the case facts, so the copy goes: one random-key B-tree page
        // fewer per received subject.
        """
        DROP TABLE inbox_pseudonyms;
        """,
        // 7: a received signal's subject links go when its retention ends (found by the signal); links made before this
        // version to signals already purged go now.
        """
        CREATE INDEX subject_links_signal ON subject_links (seq);
        DELETE FROM subject_links WHERE seq IN (SELECT seq FROM inbox WHERE payload IS NULL);
        """,
        // 8: a match query is answered once: the answerer's Matched entry (no local user) names the query id, unique per
        // asking partner, so a replayed signed query is refused (REPLAYED) in the transaction that would log it.
        // Entries written before have no id (NULL), which a unique index does not compare.
        """
        CREATE UNIQUE INDEX IF NOT EXISTS sharing_log_answered_queries ON sharing_log (partner, message_id)
            WHERE event = 'Matched' AND outcome = 'ok' AND user_id IS NULL;
        """,
        // 9: a reminder's planned signal (the subject's pairwise pseudonym, the case, the measure) is kept only while the
        // reminder is pending: once sent, superseded or dropped it is emptied (the sent copy is the case fact, which
        // retention purges). Reminders finished before this version are emptied now.
        """
        UPDATE measure_reminders SET payload = X'' WHERE state <> 0;
        """,
        // 10: a sent envelope is kept only while it is queued: once delivered or dead-lettered nothing reads it, and the
        // sender cannot open it (HPKE to the recipient's key), so keeping it only widened what a later leak of that key
        // would expose. Its hash and the receiver's signed receipt stay (the proof of what was delivered). Envelopes of
        // deliveries finished before this version are emptied now.
        """
        UPDATE outbox SET envelope = X'' WHERE state <> 1;
        """,
        // 11: a reminder is one per purpose: two reminder rules to one recipient for two purposes (other fields) each send
        // their own. The key named no purpose, so the second purpose's reminders were ignored when planned. Not the rule:
        // a reminder goes out under the rule its purpose resolves to when it fires (as the receiver resolves it), so two
        // rules of one purpose, or a rule renamed in a later agreement, would otherwise send the same reminder twice.
        """
        CREATE TABLE measure_reminders_by_purpose (
            measure_id  TEXT    NOT NULL,
            expires_on  TEXT    NOT NULL,
            recipient   TEXT    NOT NULL,
            lead_days   INTEGER NOT NULL,
            due_at      INTEGER NOT NULL,
            purpose     TEXT    NOT NULL,
            rule_id     TEXT    NOT NULL,
            payload     BLOB    NOT NULL,
            state       INTEGER NOT NULL,
            message_id  BLOB,
            PRIMARY KEY (measure_id, expires_on, recipient, purpose, lead_days)
        ) WITHOUT ROWID;
        INSERT INTO measure_reminders_by_purpose
            SELECT measure_id, expires_on, recipient, lead_days, due_at, purpose, rule_id, payload, state, message_id FROM measure_reminders;
        DROP TABLE measure_reminders;
        ALTER TABLE measure_reminders_by_purpose RENAME TO measure_reminders;
        CREATE INDEX measure_reminders_due ON measure_reminders (state, due_at);
        """,
        // 12: the agreement whose retentions were last applied to what is stored (ShortenRetentionAsync): a start with the
        // same agreement skips the scans of the inbox and the case facts.
        """
        CREATE TABLE IF NOT EXISTS retention_applied (agreement_hash BLOB NOT NULL);
        """,
        // 13: an Ack names message ids only; without an index that starts with the id, each one visited every
        // unacknowledged row (inbox_unacked), on the writer: a case system acking a day's backlog stalled every write.
        """
        CREATE INDEX IF NOT EXISTS inbox_message ON inbox (message_id);
        """,
    ];
}
