using ChainGateway.Contracts.V1;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;

namespace ChainGateway.Node.Tests.Storage;

/// <summary>
/// The writer's urgent lane (DESIGN.md §8: priority signals overtake): an urgent write goes before routine writes that
/// were waiting longer, in a commit of its own, and the commit after it takes routine writes again. The writer is held
/// inside a write (AcceptAsync's receipt callback runs in the writer's transaction) while the others queue.
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

    /// <summary>A routine write that holds the writer inside its transaction until <paramref name="release"/> completes.</summary>
    private Task<InboxAcceptResult> HoldWriterAsync(TaskCompletionSource entered, Task release) =>
        Store.AcceptAsync(Inbox(), Entry("held"), _ =>
        {
            entered.SetResult();
            // Blocks the writer's own thread (not a pool thread): nothing else can commit meanwhile.
            Assert.True(release.Wait(Timeout), "the test never released the writer");
            return [9];
        }, default);

    private async Task<List<string?>> LogDetailsAsync() => [.. (await Store.ReadLogAsync(0, 100, default)).Select(e => e.Detail)];

    [Fact]
    public async Task UrgentWrite_CommitsBeforeRoutineWritesQueuedEarlier_InACommitOfItsOwn()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = HoldWriterAsync(entered, release.Task);
        await entered.Task.WaitAsync(Timeout);

        var routine = Enumerable.Range(0, 5).Select(i => Store.AppendLogAsync(Entry($"routine {i}"), default)).ToList();
        var urgent = Store.EnqueueAsync([Outbox(Priority.Urgent, "urgent")], default);
        var commitsBefore = Store.Commits;
        release.SetResult();
        await Task.WhenAll([held, urgent, .. routine]).WaitAsync(Timeout);

        Assert.Equal(["held", "urgent", "routine 0", "routine 1", "routine 2", "routine 3", "routine 4"], await LogDetailsAsync());
        // The held batch, the urgent write alone, then the five routine writes together: group commit is kept.
        Assert.Equal(3, Store.Commits - commitsBefore);
    }

    [Fact]
    public async Task UrgentWritesInARow_CannotStarveRoutineOnes_TheNextCommitTakesThemToo()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = HoldWriterAsync(entered, release.Task);
        await entered.Task.WaitAsync(Timeout);

        var routine = Store.AppendLogAsync(Entry("routine"), default);
        Task? second = null;
        // The first urgent write queues the second while it runs in its own commit: the second one is waiting when the
        // writer chooses its next batch, as the routine one is.
        var first = Store.AcceptAsync(Inbox(), Entry("urgent 1"), _ =>
        {
            second = Store.EnqueueAsync([Outbox(Priority.Urgent, "urgent 2")], default);
            return [9];
        }, default, Priority.Urgent);
        var commitsBefore = Store.Commits;
        release.SetResult();
        await Task.WhenAll(held, first, routine).WaitAsync(Timeout);
        Assert.NotNull(second);
        await second.WaitAsync(Timeout);

        Assert.Equal(["held", "urgent 1", "urgent 2", "routine"], await LogDetailsAsync());
        // held | urgent 1 | urgent 2 + routine: after an urgent-only commit, routine writes share the next one.
        Assert.Equal(3, Store.Commits - commitsBefore);
    }

    [Fact]
    public async Task FailingUrgentWrite_FailsAlone_RoutineWritesStillCommit()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = HoldWriterAsync(entered, release.Task);
        await entered.Task.WaitAsync(Timeout);

        var routine = Store.AppendLogAsync(Entry("routine"), default);
        var good = Store.EnqueueAsync([Outbox(Priority.Urgent, "urgent")], default);
        var bad = Store.AcceptAsync(Inbox(), Entry("bad urgent"), _ => throw new InvalidOperationException("signing failed"), default, Priority.Urgent);
        release.SetResult();

        await Assert.ThrowsAsync<InvalidOperationException>(() => bad.WaitAsync(Timeout));
        await Task.WhenAll(held, good, routine).WaitAsync(Timeout);
        Assert.Equal(["held", "urgent", "routine"], await LogDetailsAsync());
    }
}
