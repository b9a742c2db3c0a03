using ChainGateway.Core.SharingLog;

namespace ChainGateway.Node.Tests.Storage;

public sealed class GroupCommitTests : TempStore
{
    private static LogEntry Entry(int i) => new() { Time = DateTimeOffset.UtcNow, Event = LogEvent.Sent, Outcome = "ok", Detail = $"entry {i}" };

    [Fact]
    public async Task ConcurrentWrites_ShareDurableCommits_AndEachCallerReturnsOnlyAfterItsCommit()
    {
        const int writers = 400;
        var commitsBefore = Store.Commits;
        // 400 callers at once: each lambda runs up to its first await, so all of them are queued before any returns.
        var tasks = Enumerable.Range(0, writers).Select(async i =>
        {
            var index = await Store.AppendLogAsync(Entry(i), default);
            // Returned: the entry must already be durable and visible to any other connection.
            var read = await Store.ReadLogAsync(index, 1, default);
            return read.Count == 1 && read[0].Detail == $"entry {i}";
        }).ToArray();
        var visible = await Task.WhenAll(tasks);

        var commits = Store.Commits - commitsBefore;
        Assert.All(visible, Assert.True);
        Assert.Equal(writers, (await Store.ReadLogAsync(0, writers * 2, default)).Count);
        Assert.True(commits < writers / 4, $"{writers} concurrent writes took {commits} durable commits");
    }

    [Fact]
    public async Task AFailingWrite_FailsAlone_AndItsBatchCommits()
    {
        var good = Store.AppendLogAsync(Entry(1), default);
        var bad = Store.AppendLogAsync(new LogEntry { Time = DateTimeOffset.UtcNow, Event = LogEvent.Sent, Outcome = null! }, default);
        var alsoGood = Store.AppendLogAsync(Entry(2), default);
        await Assert.ThrowsAnyAsync<Exception>(() => bad);
        var indexes = new[] { await good, await alsoGood };
        var log = await Store.ReadLogAsync(0, 10, default);
        Assert.Equal(2, log.Count);
        Assert.Equal(indexes, log.Select(e => e.Index));
    }

    [Fact]
    public async Task StoreFailure_FailsTheWrite_WithoutLosingWhatWasCommitted()
    {
        var before = await Store.AppendLogAsync(Entry(1), default);
        await Store.SimulateStoreFailureAsync(true);
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() =>
            Store.AppendLogAsync(Entry(2) with { Detail = new string('x', 8000) }, default));
        await Store.SimulateStoreFailureAsync(false);
        var after = await Store.AppendLogAsync(Entry(3), default);
        var log = await Store.ReadLogAsync(0, 10, default);
        Assert.Equal([before, after], log.Select(e => e.Index));
    }
}
