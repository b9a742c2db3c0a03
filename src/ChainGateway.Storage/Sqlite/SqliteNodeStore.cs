using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ChainGateway.Core.Delivery;
using Microsoft.Data.Sqlite;
using Priority = ChainGateway.Contracts.V1.Priority;

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
        // 8 MiB of page cache for the one writer: the subject index's random-key B-trees (1,000,000+ rows) thrash the
        // 2 MiB default. Not more: under steady load the cache fills up to its limit and stays in the node's resident
        // memory (64 MiB put a node at 173 MB against the 150 MB target, 16 MiB the match answerer at 156-161 MB; 8 MiB
        // builds a 1,000,000-subject index as fast, 117-126 s; docs/performance.md).
        Execute(writer, "PRAGMA cache_size = -8192;");
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

    private Task<T> WriteAsync<T>(Func<SqliteTransaction, T> work, CancellationToken cancellationToken) =>
        WriteAsync(work, Priority.Routine, cancellationToken);

    /// <summary>Queues a write; an urgent one (an urgent envelope's enqueue, acceptance, delivery) goes before routine ones waiting.</summary>
    private Task<T> WriteAsync<T>(Func<SqliteTransaction, T> work, Priority priority, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var urgent = priority == Priority.Urgent;
        var request = new WriteRequest<T>(work, urgent) { Urgent = urgent };
        ObjectDisposedException.ThrowIf(!queue.Writer.TryWrite(request), this);
        return request.Task;
    }

    /// <summary>
    /// The one writer. It moves every waiting request into two lanes, urgent and routine, each in arrival order, and
    /// builds each batch as it runs it: urgent requests first, then routine ones in order. An urgent request that
    /// arrives while a routine batch runs joins that batch at once, and the batch then takes no more routine requests
    /// and commits: the urgent write waits only for the request being run and one commit, not for the rest of the batch
    /// and a commit of its own (DESIGN.md §8: priority signals overtake). A batch after one without routine requests takes
    /// routine requests behind its urgent ones before an urgent one can end it, so a stream of urgent writes cannot
    /// starve routine ones.
    /// </summary>
    private async Task RunWriter()
    {
        var batch = new List<WriteRequest>(MaxBatch);
        var lanes = new WriterLanes(queue.Reader);
        var routineInLast = true;
        while (lanes.Waiting > 0 || await queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            lanes.Drain();
            if (lanes.Urgent.Count == 0 && lanes.Routine.TryPeek(out var head) && head.Alone)
            {
                routineInLast = true;
                RunAlone(lanes.Routine.Dequeue());
                continue;
            }
            routineInLast = RunBatch(batch, lanes, routineInLast);
        }
    }

    /// <summary>The writer's two lanes, filled from the queue.</summary>
    private sealed class WriterLanes(ChannelReader<WriteRequest> reader)
    {
        public Queue<WriteRequest> Urgent { get; } = new();

        public Queue<WriteRequest> Routine { get; } = new();

        public int Waiting => Urgent.Count + Routine.Count;

        public void Drain()
        {
            while (reader.TryRead(out var request))
            {
                (request.Urgent ? Urgent : Routine).Enqueue(request);
            }
        }

        /// <summary>
        /// The next request for the batch in progress: urgent first; routine ones in order, but none after an urgent one
        /// was taken when <paramref name="urgentEndsBatch"/>.
        /// </summary>
        public WriteRequest? Next(bool urgentEndsBatch, ref bool takeRoutine)
        {
            Drain();
            if (Urgent.TryDequeue(out var urgent))
            {
                takeRoutine &= !urgentEndsBatch;
                return urgent;
            }
            return takeRoutine && Routine.TryPeek(out var routine) && !routine.Alone ? Routine.Dequeue() : null;
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

    /// <summary>
    /// Runs and commits one batch; true when it held a routine request. An urgent request ends the batch (no routine
    /// request after it) once this batch or, when <paramref name="routineInLast"/>, the one before took a routine one.
    /// </summary>
    private bool RunBatch(List<WriteRequest> batch, WriterLanes lanes, bool routineInLast)
    {
        batch.Clear();
        var takeRoutine = true;
        // The first request is taken before the transaction begins, so that a store that cannot begin one (read-only
        // after an I/O error, disk full) answers each waiting request with that failure instead of holding them all.
        if (lanes.Next(routineInLast, ref takeRoutine) is not { } first)
        {
            return false;
        }
        batch.Add(first);
        var routine = !first.Urgent;
        try
        {
            using var tx = writer.BeginTransaction();
            // The first request of a transaction needs no savepoint: if it fails, the catch below rolls back the
            // transaction, which holds nothing else, and the failure is its answer. SQLite keeps a savepoint's statement
            // journal in a temporary file that it creates and unlinks on each commit (strace: openat, unlink, pwrites),
            // so a request committed alone is spared that. (Keeping the journal in memory instead, temp_store=MEMORY,
            // put the match answerer at 290 MB: the 5,000-subject registrations' journals stayed in the heap.)
            first.Execute(tx);
            while (batch.Count < MaxBatch && lanes.Next(routineInLast || routine, ref takeRoutine) is { } request)
            {
                batch.Add(request);
                routine |= !request.Urgent;
                // Every later request runs in a savepoint, so its failure is its own and the batch goes on.
                Savepoint("SAVEPOINT w", tx);
                try
                {
                    request.Execute(tx);
                    Savepoint("RELEASE w", tx);
                }
#pragma warning disable CA1031 // One request's failure is that request's answer; the rest of the batch goes on.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    request.Failure = e;
                    // SQLITE_FULL or an I/O error may have rolled the whole transaction back already; then this throws
                    // and the whole batch fails below: nothing of it was committed.
                    Savepoint("ROLLBACK TO w", tx);
                    Savepoint("RELEASE w", tx);
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
        return routine;
    }

    private static void Savepoint(string sql, SqliteTransaction tx)
    {
        using var command = Command(sql, tx);
        command.ExecuteNonQuery();
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

    private abstract class WriteRequest
    {
        public Exception? Failure { get; set; }

        /// <summary>Runs outside any batch and transaction (test hooks).</summary>
        public bool Alone { get; init; }

        /// <summary>Taken before routine requests that are waiting (DESIGN.md §8: priority signals overtake).</summary>
        public bool Urgent { get; init; }

        public abstract void Execute(SqliteTransaction tx);

        public abstract void Complete();
    }

    /// <param name="inline">
    /// Runs the caller's continuation on the writer's thread when the request completes, instead of queueing it to the
    /// thread pool, whose queue is FIFO and, under saturation, hundreds of routine items long: for urgent requests
    /// (few, and their continuations only go on to their next await; nothing in the node waits synchronously on a write).
    /// </param>
    private sealed class WriteRequest<T>(Func<SqliteTransaction, T> work, bool inline = false) : WriteRequest
    {
        private readonly TaskCompletionSource<T> completion = new(inline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
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
