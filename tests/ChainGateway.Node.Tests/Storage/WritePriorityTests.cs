using ChainGateway.Contracts.V1;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;

namespace ChainGateway.Node.Tests.Storage;

/// <summary>
/// The writer's urgent lane (DESIGN.md §8: priority signals overtake): an urgent write joins the batch in progress and
/// commits with it, before routine writes that were waiting longer; the batch after one with urgent writes takes routine
/// writes again. The writer is held inside a write (AcceptAsync's receipt callback runs in the writer's transaction)
/// while the others queue.
/// </summary>
public sealed class WritePriorityTests : TempStore
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static LogEntry Entry(string detail) => new() { Time = DateTimeOffset.UtcNow, Event = LogEvent.Sent, Outcome = "ok", Detail = detail };

    private static InboxEnvelope Inbox() =>
        new("politie", Guid.CreateVersion7(), new byte[32], "ProximityAlert", "risk-assessment", "rule", [1], DateTimeOffset.UtcNow,
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));

    private static OutboxEnvelope Outbox(Priority priority, string detail) =>
        new(Guid.CreateVersion7(), "om", (int)priority, [1], new byte[32], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1), 0, Entry(detail));

    /// <summary>
    /// Starts a routine write that holds the writer inside its transaction until the returned source is completed, and
    /// returns once the writer is inside it.
    /// </summary>
    private async Task<(Task Held, TaskCompletionSource Release)> HoldWriterAsync()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = Store.AcceptAsync(Inbox(), Entry("held"), _ =>
        {
            // A request may run twice: again, after a rollback, when a later request of its batch fails.
            entered.TrySetResult();
            // Blocks the writer's own thread (not a pool thread): nothing else can commit meanwhile.
            Assert.True(release.Task.Wait(Timeout), "the test never released the writer");
            return [9];
        }, default);
        await entered.Task.WaitAsync(Timeout);
        return (held, release);
    }

    private async Task<List<string?>> LogDetailsAsync() => [.. (await Store.ReadLogAsync(0, 100, default)).Select(e => e.Detail)];

    [Fact]
    public async Task UrgentWrite_JoinsTheBatchInProgress_AndCommitsBeforeRoutineWritesQueuedEarlier()
    {
        var (held, release) = await HoldWriterAsync();

        var routine = Enumerable.Range(0, 5).Select(i => Store.AppendLogAsync(Entry($"routine {i}"), default)).ToList();
        var urgent = Store.EnqueueAsync([Outbox(Priority.Urgent, "urgent")], default);
        var commitsBefore = Store.Commits;
        release.SetResult();
        await Task.WhenAll([held, urgent, .. routine]).WaitAsync(Timeout);

        Assert.Equal(["held", "urgent", "routine 0", "routine 1", "routine 2", "routine 3", "routine 4"], await LogDetailsAsync());
        // The held write and the urgent one that joined it, then the five routine writes together: the urgent write
        // waited for no commit of routine writes, and group commit is kept.
        Assert.Equal(2, Store.Commits - commitsBefore);
    }

    [Fact]
    public async Task UrgentWritesInARow_CannotStarveRoutineOnes_TheBatchAfterAnUrgentOnlyOneTakesThemToo()
    {
        var (held, release) = await HoldWriterAsync();

        var routine = Store.AppendLogAsync(Entry("routine"), default);
        // A chain of urgent writes, each queued the moment the one before is committed (an urgent write's caller runs
        // on the writer's thread: ExecuteSynchronously), so one is always waiting when the writer starts a batch.
        Task Then(Task previous, string next) =>
            previous.ContinueWith(_ => Store.EnqueueAsync([Outbox(Priority.Urgent, next)], default), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();
        var first = Store.EnqueueAsync([Outbox(Priority.Urgent, "urgent 1")], default);
        var second = Then(first, "urgent 2");
        var third = Then(second, "urgent 3");
        var fourth = Then(third, "urgent 4");
        var commitsBefore = Store.Commits;
        release.SetResult();
        await Task.WhenAll(held, first, second, third, fourth, routine).WaitAsync(Timeout);

        // held + urgent 1 | urgent 2 alone | urgent 3 + routine (the batch after an urgent-only one takes routine writes
        // behind its urgent ones) | urgent 4: the urgent chain holds a routine write back for one commit at most.
        Assert.Equal(["held", "urgent 1", "urgent 2", "urgent 3", "routine", "urgent 4"], await LogDetailsAsync());
        Assert.Equal(4, Store.Commits - commitsBefore);
    }

    [Fact]
    public async Task FailingUrgentWrite_FailsAlone_RoutineWritesStillCommit()
    {
        var (held, release) = await HoldWriterAsync();

        var routine = Store.AppendLogAsync(Entry("routine"), default);
        var good = Store.EnqueueAsync([Outbox(Priority.Urgent, "urgent")], default);
        var bad = Store.AcceptAsync(Inbox(), Entry("bad urgent"), _ => throw new InvalidOperationException("signing failed"), default, Priority.Urgent);
        release.SetResult();

        await Assert.ThrowsAsync<InvalidOperationException>(() => bad.WaitAsync(Timeout));
        await Task.WhenAll(held, good, routine).WaitAsync(Timeout);
        Assert.Equal(["held", "urgent", "routine"], await LogDetailsAsync());
    }

    [Fact]
    public async Task FailingFirstWriteOfABatch_FailsAlone_TheWritesBehindItCommit()
    {
        var (held, release) = await HoldWriterAsync();

        // The urgent write ends the held batch, so the failing routine write is the first of the next one: its failure
        // rolls back a transaction that holds nothing else.
        var urgent = Store.EnqueueAsync([Outbox(Priority.Urgent, "urgent")], default);
        var bad = Store.AcceptAsync(Inbox(), Entry("bad routine"), _ => throw new InvalidOperationException("signing failed"), default);
        var good = Enumerable.Range(0, 2).Select(i => Store.AppendLogAsync(Entry($"routine {i}"), default)).ToList();
        release.SetResult();

        await Assert.ThrowsAsync<InvalidOperationException>(() => bad.WaitAsync(Timeout));
        await Task.WhenAll([held, urgent, .. good]).WaitAsync(Timeout);
        Assert.Equal(["held", "urgent", "routine 0", "routine 1"], await LogDetailsAsync());
    }

    [Fact]
    public async Task AFailureInTheMiddleOfABatch_TheWritesBeforeItCommitOnce_AndTheOnesBehindItCommitToo()
    {
        var (held, release) = await HoldWriterAsync();

        // Queued behind the held write, all in its batch up to the failing one; the batch is rolled back and the writes
        // before the failure run again.
        var before = Enumerable.Range(0, 3).Select(i => Store.AppendLogAsync(Entry($"before {i}"), default)).ToList();
        var bad = Store.AcceptAsync(Inbox(), Entry("bad"), _ => throw new InvalidOperationException("signing failed"), default);
        var after = Enumerable.Range(0, 2).Select(i => Store.AppendLogAsync(Entry($"after {i}"), default)).ToList();
        release.SetResult();

        await Assert.ThrowsAsync<InvalidOperationException>(() => bad.WaitAsync(Timeout));
        var indexes = await Task.WhenAll([.. before, .. after]).WaitAsync(Timeout);
        await held.WaitAsync(Timeout);
        var log = await Store.ReadLogAsync(0, 100, default);
        Assert.Equal(["held", "before 0", "before 1", "before 2", "after 0", "after 1"], log.Select(e => e.Detail));
        // Each caller's index is its entry's, and the log has no gap where the rolled-back attempt was.
        Assert.Equal(log.Skip(1).Select(e => e.Index), indexes);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => log[0].Index + i), log.Select(e => e.Index));
        // The held write's inbox row once, the failed one's not at all.
        Assert.Single(await Store.GetUnacknowledgedAsync(0, 10, default));
    }
}
