using ChainGateway.Core.SharingLog;
using ChainGateway.Storage.Sqlite;

namespace ChainGateway.Node.Tests.Storage;

public sealed class GroupCommitTests : IAsyncLifetime
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"chaingw-store-{Guid.NewGuid():N}.db");
    private SqliteNodeStore store = null!;

    public async Task InitializeAsync()
    {
        store = new SqliteNodeStore(path);
        await store.InitializeAsync(default);
    }

    public async Task DisposeAsync()
    {
        await store.DisposeAsync();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists))
        {
            File.Delete(file);
        }
    }

    private static LogEntry Entry(int i) => new() { Time = DateTimeOffset.UtcNow, Event = LogEvent.Sent, Outcome = "ok", Detail = $"entry {i}" };

    [Fact]
    public async Task ConcurrentWrites_ShareDurableCommits_AndEachCallerReturnsOnlyAfterItsCommit()
    {
        const int writers = 400;
        var commitsBefore = store.Commits;
        // 400 callers at once: each lambda runs up to its first await, so all of them are queued before any returns.
        var tasks = Enumerable.Range(0, writers).Select(async i =>
        {
            var index = await store.AppendLogAsync(Entry(i), default);
            // Returned: the entry must already be durable and visible to any other connection.
            var read = await store.ReadLogAsync(index, 1, default);
            return read.Count == 1 && read[0].Detail == $"entry {i}";
        }).ToArray();
        var visible = await Task.WhenAll(tasks);

        var commits = store.Commits - commitsBefore;
        Assert.All(visible, Assert.True);
        Assert.Equal(writers, (await store.ReadLogAsync(0, writers * 2, default)).Count);
        Assert.True(commits < writers / 4, $"{writers} concurrent writes took {commits} durable commits");
    }

    [Fact]
    public async Task AFailingWrite_FailsAlone_AndItsBatchCommits()
    {
        var good = store.AppendLogAsync(Entry(1), default);
        var bad = store.AppendLogAsync(new LogEntry { Time = DateTimeOffset.UtcNow, Event = LogEvent.Sent, Outcome = null! }, default);
        var alsoGood = store.AppendLogAsync(Entry(2), default);
        await Assert.ThrowsAnyAsync<Exception>(() => bad);
        var indexes = new[] { await good, await alsoGood };
        var log = await store.ReadLogAsync(0, 10, default);
        Assert.Equal(2, log.Count);
        Assert.Equal(indexes, log.Select(e => e.Index));
    }

    [Fact]
    public async Task StoreFailure_FailsTheWrite_WithoutLosingWhatWasCommitted()
    {
        var before = await store.AppendLogAsync(Entry(1), default);
        await store.SimulateStoreFailureAsync(true);
        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() =>
            store.AppendLogAsync(Entry(2) with { Detail = new string('x', 8000) }, default));
        await store.SimulateStoreFailureAsync(false);
        var after = await store.AppendLogAsync(Entry(3), default);
        var log = await store.ReadLogAsync(0, 10, default);
        Assert.Equal([before, after], log.Select(e => e.Index));
    }
}
