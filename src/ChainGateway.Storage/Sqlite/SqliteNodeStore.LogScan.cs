// log verify over millions of entries: the columns of sharing_log, in LogEntryEncoding.FieldLayout order, read as
// raw SQLite values (sqlite3_column_blob gives a TEXT column's UTF-8 bytes as stored) into one reused
// LogEntryBytesWriter — no LogEntry, no UTF-16 strings, no per-row arrays. Column order = field order after time.
//
// Per row that is 20 column reads, which cost more than the step itself. Two things make them cheap (stepping and
// reading 300,000 rows, CPU seconds of one thread: 0.85 through SQLitePCL's raw API on a serialized connection as the
// pool opens them, 0.33 this way; the step alone is 0.17):
// - the scan opens its own read-only connection with SQLITE_OPEN_NOMUTEX: it is used by one thread only, and in the
//   default serialized mode every sqlite3_column_* call locks and unlocks the connection's mutex;
// - the column accessors are called directly, without the GC transition ([SuppressGCTransition]: they only read the
//   current row's values, never block or call back), and NULL is asked for only when a value has no bytes (SQLite
//   gives no pointer for an empty TEXT or BLOB, so an empty string and NULL differ only in sqlite3_column_type).
// Not adopted, measured on the same rows (direct reads, serialized connection: 0.46 s): PRAGMA mmap_size = 1 GiB
// (0.51-0.64 s) and cache_size = 256 MiB (1.0-1.6 s); the scan reads each page once, so a bigger cache only costs.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
        return Task.Run(() => ScanLogBytes(fromIndex, max, visitor, cancellationToken), cancellationToken);
    }

    // On a connection of its own, opened for this one scan: read-only, used by this thread only (NOMUTEX).
    private (int Count, long LastIndex) ScanLogBytes(long fromIndex, int max, ILogEntryBytesVisitor visitor, CancellationToken cancellationToken)
    {
        var opened = raw.sqlite3_open_v2(Path, out var db, raw.SQLITE_OPEN_READONLY | raw.SQLITE_OPEN_NOMUTEX, null);
        using (db)
        {
            Check(db, opened);
            Check(db, raw.sqlite3_busy_timeout(db, 5000));
            Check(db, raw.sqlite3_prepare_v2(db, ScanSql, out var statement));
            using (statement)
            {
                raw.sqlite3_bind_int64(statement, 1, fromIndex);
                raw.sqlite3_bind_int64(statement, 2, max);
                return ScanRows(db, statement, fromIndex, visitor, cancellationToken);
            }
        }
    }

    private static (int Count, long LastIndex) ScanRows(sqlite3 db, sqlite3_stmt statement, long fromIndex, ILogEntryBytesVisitor visitor, CancellationToken cancellationToken)
    {
        var row = statement.DangerousGetHandle();
        var writer = new LogEntryBytesWriter();
        var layout = LogEntryEncoding.FieldLayout;
        const int LeafColumn = 20 - 1;
        var (count, last) = (0, fromIndex - 1);
        int step;
        while ((step = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
        {
            cancellationToken.ThrowIfCancellationRequested();
            last = ScanColumns.Int64(row, 0);
            count++;
            writer.Begin(ScanColumns.Int64(row, 1));
            var valid = true;
            for (var field = 0; field < layout.Length && valid; field++)
            {
                var value = ScanColumns.Bytes(row, field + 2, out var present);
                valid = writer.Field(layout[field], present, value);
            }
            if (!visitor.Visit(last, valid ? writer : null, ScanColumns.Bytes(row, LeafColumn, out _)))
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

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new Microsoft.Data.Sqlite.SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
        }
    }

    // The current row's values, read straight from the e_sqlite3 library SQLitePCL loaded (the same library name its
    // provider imports). Valid only until the next step; the statement must stay alive meanwhile.
    private static class ScanColumns
    {
        private const string Library = "e_sqlite3";

        public static long Int64(nint statement, int column) => sqlite3_column_int64(statement, column);

        public static ReadOnlySpan<byte> Bytes(nint statement, int column, out bool present)
        {
            // sqlite3_column_blob first, then _bytes, as SQLite's documentation asks (the pointer may move on a conversion).
            var pointer = sqlite3_column_blob(statement, column);
            var length = sqlite3_column_bytes(statement, column);
            if (pointer == 0)
            {
                present = sqlite3_column_type(statement, column) != raw.SQLITE_NULL;
                return default;
            }
            present = true;
            // A span over SQLite's memory without an unsafe block (Storage does not allow them): a ref at the address.
            return MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), pointer), length);
        }

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        [SuppressGCTransition]
        private static extern nint sqlite3_column_blob(nint statement, int column);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        [SuppressGCTransition]
        private static extern int sqlite3_column_bytes(nint statement, int column);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        [SuppressGCTransition]
        private static extern int sqlite3_column_type(nint statement, int column);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]
        [SuppressGCTransition]
        private static extern long sqlite3_column_int64(nint statement, int column);
    }
}
