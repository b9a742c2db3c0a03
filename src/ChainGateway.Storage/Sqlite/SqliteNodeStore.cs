using System.Threading.Channels;
using ChainGateway.Core.Delivery;
using Microsoft.Data.Sqlite;

namespace ChainGateway.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a commit is durable when it returns.
/// Writes are group-committed (DESIGN.md §8): ONE writer takes every write request waiting in its queue, runs each
/// in its own savepoint of one transaction, commits once, and only then completes the callers; a request that
/// fails rolls back to its savepoint and fails alone. Reads use pooled connections of their own and never wait
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
        Execute(writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;");
        // 64 MiB of page cache for the one writer: the subject index's random-key B-trees (1,000,000+ rows) thrash the 2 MiB default.
        Execute(writer, "PRAGMA cache_size = -65536;");
        var version = Convert.ToInt32(Scalar(writer, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
        for (var i = version; i < SqliteSchema.Migrations.Length; i++)
        {
            using var tx = writer.BeginTransaction();
            Execute(writer, SqliteSchema.Migrations[i], tx);
            Execute(writer, $"PRAGMA user_version = {i + 1};", tx);
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

    private Task<T> WriteAsync<T>(Func<SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var request = new WriteRequest<T>(work);
        ObjectDisposedException.ThrowIf(!queue.Writer.TryWrite(request), this);
        return request.Task;
    }

    private async Task RunWriter()
    {
        var batch = new List<WriteRequest>(MaxBatch);
        var reader = queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryPeek(out var next) && !(next.Alone && batch.Count > 0) && reader.TryRead(out var request))
            {
                batch.Add(request);
                if (request.Alone)
                {
                    break;
                }
            }
            if (batch is [{ Alone: true } alone])
            {
                RunAlone(alone);
            }
            else
            {
                CommitBatch(batch);
            }
        }
    }

    private static void RunAlone(WriteRequest request)
    {
        try
        {
            request.Execute(null!);
        }
#pragma warning disable CA1031 // The failure is the request's answer.
        catch (Exception e)
#pragma warning restore CA1031
        {
            request.Failure = e;
        }
        request.Complete();
    }

    private void CommitBatch(List<WriteRequest> batch)
    {
        try
        {
            using var tx = writer.BeginTransaction();
            for (var i = 0; i < batch.Count; i++)
            {
                tx.Save("w");
                try
                {
                    batch[i].Execute(tx);
                    tx.Release("w");
                }
#pragma warning disable CA1031 // One request's failure is that request's answer; the rest of the batch goes on.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    batch[i].Failure = e;
                    // SQLITE_FULL or an I/O error may have rolled the whole transaction back already; then this throws
                    // and the whole batch fails below: nothing of it was committed.
                    tx.Rollback("w");
                    tx.Release("w");
                }
            }
            tx.Commit();
            Interlocked.Increment(ref commits);
        }
#pragma warning disable CA1031 // A failed commit (disk full, I/O error) fails every caller of the batch; nothing was acknowledged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            foreach (var request in batch)
            {
                request.Failure ??= e;
            }
        }
        foreach (var request in batch)
        {
            request.Complete();
        }
        Interlocked.Add(ref writes, batch.Count);
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

    private static SqliteCommand Command(string sql, SqliteTransaction tx) => Command(tx.Connection!, sql, tx);

    private static long Ticks(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis);

    private abstract class WriteRequest
    {
        public Exception? Failure { get; set; }

        /// <summary>Runs outside any batch and transaction (test hooks).</summary>
        public bool Alone { get; init; }

        public abstract void Execute(SqliteTransaction tx);

        public abstract void Complete();
    }

    private sealed class WriteRequest<T>(Func<SqliteTransaction, T> work) : WriteRequest
    {
        private readonly TaskCompletionSource<T> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? result;

        public Task<T> Task => completion.Task;

        public override void Execute(SqliteTransaction tx) => result = work(tx);

        public override void Complete()
        {
            if (Failure is null)
            {
                completion.SetResult(result!);
            }
            else
            {
                completion.SetException(Failure);
            }
        }
    }
}
