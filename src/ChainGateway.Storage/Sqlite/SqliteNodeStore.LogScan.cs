// log verify over millions of entries: the columns of sharing_log, in LogEntryEncoding.FieldLayout order, read as
// raw SQLite values (sqlite3_column_blob gives a TEXT column's UTF-8 bytes as stored) into one reused
// LogEntryBytesWriter — no LogEntry, no UTF-16 strings, no per-row arrays. Column order = field order after time.
using ChainGateway.Core.SharingLog;
using SQLitePCL;

namespace ChainGateway.Storage.Sqlite;

public sealed partial class SqliteNodeStore
{
    private const string ScanSql = """
        SELECT idx, time, event, partner, user_id, purpose, processing_activity, rule_id, signal_type,
               subject_pseudonym, message_id, envelope_hash, outcome, reason_code, detail,
               trace_id, span_id, foreign_trace_id, foreign_span_id, leaf_hash
        FROM sharing_log WHERE idx >= ?1 ORDER BY idx LIMIT ?2
        """;

    public Task<(int Count, long LastIndex)> ScanLogBytesAsync(long fromIndex, int max, ILogEntryBytesVisitor visitor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        return ReadAsync(c =>
        {
            var db = c.Handle!;
            Check(db, raw.sqlite3_prepare_v2(db, ScanSql, out var statement));
            using (statement)
            {
                raw.sqlite3_bind_int64(statement, 1, fromIndex);
                raw.sqlite3_bind_int64(statement, 2, max);
                var writer = new LogEntryBytesWriter();
                var layout = LogEntryEncoding.FieldLayout;
                var (count, last) = (0, fromIndex - 1);
                int step;
                while ((step = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    last = raw.sqlite3_column_int64(statement, 0);
                    count++;
                    writer.Begin(raw.sqlite3_column_int64(statement, 1));
                    var valid = true;
                    for (var field = 0; field < layout.Length && valid; field++)
                    {
                        var column = field + 2;
                        var present = raw.sqlite3_column_type(statement, column) != raw.SQLITE_NULL;
                        valid = writer.Field(layout[field], present, present ? raw.sqlite3_column_blob(statement, column) : default);
                    }
                    if (!visitor.Visit(last, valid ? writer : null, raw.sqlite3_column_blob(statement, 2 + layout.Length)))
                    {
                        break;
                    }
                }
                if (step is not (raw.SQLITE_ROW or raw.SQLITE_DONE))
                {
                    Check(db, step);
                }
                return (count, last);
            }
        }, cancellationToken);
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new Microsoft.Data.Sqlite.SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
        }
    }
}
