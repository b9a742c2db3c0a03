using System.Diagnostics;
using System.Threading.Channels;
using ChainGateway.Core.Telemetry;
using Microsoft.Data.Sqlite;
using Priority = ChainGateway.Contracts.V1.Priority;

namespace ChainGateway.Storage.Sqlite;

/// <summary>The store's one writer: group commit with an urgent lane (DESIGN.md §8).</summary>
public sealed partial class SqliteNodeStore
{
    private Task<T> WriteAsync<T>(Func<SqliteTransaction, T> work, CancellationToken cancellationToken) =>
        WriteAsync(work, Priority.Routine, cancellationToken);

    /// <summary>Queues a write; an urgent one (an urgent envelope's enqueue, acceptance, delivery) goes before routine ones waiting.</summary>
    private Task<T> WriteAsync<T>(Func<SqliteTransaction, T> work, Priority priority, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var urgent = priority == Priority.Urgent;
        var request = new WriteRequest<T>(work, urgent) { Urgent = urgent, Queued = Stopwatch.GetTimestamp() };
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
    /// <remarks>
    /// The requests run one after another in one transaction, with no savepoints: a savepoint makes SQLite copy every
    /// page a request changes into a statement journal, a temporary file once it outgrows 64 KiB, which under load
    /// was four times the pages written to the write-ahead log (strace of a sender: 12,990 journal page writes against
    /// 1,680 log frames). When a request fails, the batch ends there, the transaction is rolled back, that request
    /// fails alone, and the ones before it run again each in a savepoint of its own (<see cref="RerunInSavepoints"/>);
    /// a request changes nothing but the store, so running it again after the rollback is as running it once.
    /// </remarks>
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
            var failed = false;
            using (var tx = writer.BeginTransaction())
            {
                var request = first;
                while (true)
                {
                    try
                    {
                        request.Execute(tx);
                    }
#pragma warning disable CA1031 // One request's failure is that request's answer; the rest of the batch goes on.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        request.Failure = e;
                        failed = true;
                        break;
                    }
                    if (batch.Count == MaxBatch || lanes.Next(routineInLast || routine, ref takeRoutine) is not { } next)
                    {
                        break;
                    }
                    request = next;
                    batch.Add(request);
                    routine |= !request.Urgent;
                }
                if (!failed)
                {
                    Commit(tx);
                }
                else
                {
                    // Microsoft.Data.Sqlite skips the ROLLBACK when SQLite has rolled back already (SQLITE_FULL, an I/O
                    // error); a ROLLBACK that fails fails the whole batch below, and nothing of it is committed.
                    tx.Rollback();
                }
            }
            if (failed && batch.Count > 1)
            {
                RerunInSavepoints(batch);
            }
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
        ChainGatewayTelemetry.StoreBatchSize.Record(batch.Count);
        foreach (var request in batch)
        {
            RecordWrite(request);
            request.Complete();
        }
        Interlocked.Add(ref writes, batch.Count);
        return routine;
    }

    /// <summary>
    /// After a request of the batch failed and the transaction was rolled back: every request that did not fail runs
    /// again, each in a savepoint of its own so that a failure is its own, and the batch commits.
    /// </summary>
    private void RerunInSavepoints(List<WriteRequest> batch)
    {
        using var tx = writer.BeginTransaction();
        foreach (var request in batch)
        {
            if (request.Failure is not null)
            {
                continue;
            }
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
                // and the whole batch fails in RunBatch: nothing of it was committed.
                Savepoint("ROLLBACK TO w", tx);
                Savepoint("RELEASE w", tx);
            }
        }
        Commit(tx);
    }

    private void Commit(SqliteTransaction tx)
    {
        var committing = Stopwatch.GetTimestamp();
        tx.Commit();
        ChainGatewayTelemetry.StoreCommitDuration.Record(Stopwatch.GetElapsedTime(committing).TotalSeconds);
        Interlocked.Increment(ref commits);
    }


    private static void RecordWrite(WriteRequest request) =>
        ChainGatewayTelemetry.StoreWriteDuration.Record(Stopwatch.GetElapsedTime(request.Queued).TotalSeconds,
            new KeyValuePair<string, object?>("priority", ChainGatewayTelemetry.PriorityTag(request.Urgent)));

    private static void Savepoint(string sql, SqliteTransaction tx)
    {
        using var command = Command(sql, tx);
        command.ExecuteNonQuery();
    }

    private abstract class WriteRequest
    {
        public Exception? Failure { get; set; }

        /// <summary>Runs outside any batch and transaction (a checkpoint after a purge; test hooks).</summary>
        public bool Alone { get; init; }

        /// <summary>Taken before routine requests that are waiting (DESIGN.md §8: priority signals overtake).</summary>
        public bool Urgent { get; init; }

        /// <summary>When it was queued (<see cref="Stopwatch.GetTimestamp"/>), for <c>chaingateway.store.write.duration</c>.</summary>
        public long Queued { get; init; }

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
