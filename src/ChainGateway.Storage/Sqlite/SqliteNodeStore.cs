using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ChainGateway.Core.Delivery;
using Microsoft.Data.Sqlite;

namespace ChainGateway.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a commit is durable when it returns.
/// Writes are group-committed (DESIGN.md §8): ONE writer takes the write requests waiting in its queue, runs them in
/// one transaction, commits once, and only then completes the callers; a request that fails fails alone: the batch
/// ends there, is rolled back, and the requests before it run again, each in a savepoint (SqliteNodeStore.Writer.cs). Reads use pooled connections of their own and never wait
/// for the writer (WAL snapshots).
/// </summary>
public sealed partial class SqliteNodeStore : INodeStore
{
    private const int MaxBatch = 512;
    private readonly SqliteConnection writer;
    private readonly string readConnectionString;
    private readonly Channel<WriteRequest> queue = Channel.CreateUnbounded<WriteRequest>(new UnboundedChannelOptions { SingleReader = true });
    private Task? writerLoop;
    private long commits;
    private long writes;

    public SqliteNodeStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = path;
        writer = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        readConnectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWrite, Pooling = true }.ToString();
    }

    public string Path { get; }

    /// <summary>Durable commits so far: with group commit, far fewer than <see cref="Writes"/> under concurrency.</summary>
    public long Commits => Interlocked.Read(ref commits);

    /// <summary>Write requests completed so far.</summary>
    public long Writes => Interlocked.Read(ref writes);

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await writer.OpenAsync(cancellationToken).ConfigureAwait(false);
        // secure_delete: a deleted row's bytes (a purged body, a reminder's emptied signal) are overwritten in its page and
        // freed pages are zeroed, so retention deletes the content from the file and not only from the tables; the
        // write-ahead log's old frames go with ScrubAsync after each purge.
        Execute(writer, "PRAGMA busy_timeout=5000; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;");
        // 8 MiB of page cache for the one writer: the subject index's random-key B-trees (1,000,000+ rows) thrash the
        // 2 MiB default. Not more: under steady load the cache fills up to its limit and stays in the node's resident
        // memory (64 MiB put a node at 173 MB against the 150 MB target, 16 MiB the match answerer at 156-161 MB; 8 MiB
        // builds a 1,000,000-subject index as fast, 117-126 s; docs/performance-history.md).
        Execute(writer, "PRAGMA cache_size = -8192;");
        // Each migration in a write transaction of its own that reads the version again once it holds the lock: another
        // process opening the same store (chaingw log verify beside a node that starts after an upgrade) may have applied
        // it meanwhile, and a migration run twice fails (CREATE INDEX) or does its work twice.
        while (true)
        {
            using var tx = writer.BeginTransaction(deferred: false);
            var version = Convert.ToInt32(Scalar(writer, "PRAGMA user_version;", tx), System.Globalization.CultureInfo.InvariantCulture);
            if (version >= SqliteSchema.Migrations.Length)
            {
                tx.Commit();
                break;
            }
            Execute(writer, SqliteSchema.Migrations[version], tx);
            Execute(writer, $"PRAGMA user_version = {version + 1};", tx);
            tx.Commit();
        }
        writerLoop = Task.Factory.StartNew(RunWriter, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        if (writerLoop is not null)
        {
            await writerLoop.ConfigureAwait(false);
        }
        DisposeCachedCommands(writer);
        writer.Dispose();
        DisposeSubjectLookups();
        SqliteConnection.ClearPool(new SqliteConnection(readConnectionString));
    }

    /// <summary>
    /// Test hook: makes every write fail inside SQLite itself (SQLITE_READONLY), as after the file system is remounted
    /// read-only on an I/O error or the disk is full; <c>false</c> heals it. Reads go on working.
    /// </summary>
    internal Task SimulateStoreFailureAsync(bool failing)
    {
        var request = new WriteRequest<int>(_ =>
        {
            Execute(writer, $"PRAGMA query_only = {(failing ? 1 : 0)};");
            return 0;
        })
        { Alone = true };
        ObjectDisposedException.ThrowIf(!queue.Writer.TryWrite(request), this);
        return request.Task;
    }

    /// <summary>
    /// Copies the write-ahead log into the database and truncates it to nothing (<c>wal_checkpoint(TRUNCATE)</c>): its
    /// frames hold the pages as they were before the purge. Runs outside any transaction, between the writer's batches.
    /// False when SQLite reports the checkpoint busy: a reader held the log past the busy timeout, and the log's frames
    /// (with what was purged) are still there.
    /// </summary>
    public Task<bool> ScrubAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var request = new WriteRequest<bool>(_ =>
        {
            using var checkpoint = Command(writer, "PRAGMA wal_checkpoint(TRUNCATE);");
            using var result = checkpoint.ExecuteReader();
            // One row: busy (1 if the checkpoint could not finish), frames in the log, frames checkpointed.
            return result.Read() && result.GetInt64(0) == 0;
        })
        { Alone = true };
        ObjectDisposedException.ThrowIf(!queue.Writer.TryWrite(request), this);
        return request.Task;
    }

    private async Task<T> ReadAsync<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(readConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return work(connection);
        }
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return command.ExecuteScalar();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return command;
    }

    /// <summary>
    /// A write command on the writer's connection. The writer runs the same few statements for every signal, so each
    /// is prepared once and kept (SQLite's parser was a visible share of a signal's cost): disposing the command gives
    /// it back with its parameters cleared. A statement already in use (nested) gets a fresh, uncached command.
    /// </summary>
    private static SqliteCommand Command(string sql, SqliteTransaction tx)
    {
        var cache = CommandCaches.GetOrCreateValue(tx.Connection!);
        if (cache.TryGetValue(sql, out var cached))
        {
            if (!cached.InUse)
            {
                cached.InUse = true;
                cached.Transaction = tx;
                return cached;
            }
            return Command(tx.Connection!, sql, tx);
        }
        if (cache.Count >= MaxCachedCommands)
        {
            return Command(tx.Connection!, sql, tx);
        }
        var command = new CachedCommand { Connection = tx.Connection, CommandText = sql, Transaction = tx, InUse = true };
        cache.Add(sql, command);
        return command;
    }

    private const int MaxCachedCommands = 256;

    private static readonly ConditionalWeakTable<SqliteConnection, Dictionary<string, CachedCommand>> CommandCaches = [];

    private static void DisposeCachedCommands(SqliteConnection connection)
    {
        if (CommandCaches.TryGetValue(connection, out var cache))
        {
            foreach (var command in cache.Values)
            {
                command.Evict();
            }
            cache.Clear();
            CommandCaches.Remove(connection);
        }
    }

    private sealed class CachedCommand : SqliteCommand
    {
        private bool evicting;

        public bool InUse { get; set; }

        public void Evict()
        {
            evicting = true;
            Dispose();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !evicting)
            {
                // Back to the cache: the prepared statement stays, the values and the transaction go.
                Parameters.Clear();
                Transaction = null;
                InUse = false;
                return;
            }
            base.Dispose(disposing);
        }
    }

    private static long Ticks(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis);
}
