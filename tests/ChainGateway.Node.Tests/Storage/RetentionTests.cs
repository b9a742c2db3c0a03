using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;
using ChainGateway.Storage.Sqlite;

namespace ChainGateway.Node.Tests.Storage;

public sealed class RetentionTests : IAsyncLifetime
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"chaingw-retention-{Guid.NewGuid():N}.db");
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

    private async Task<Guid> ReceiveAsync(DateTimeOffset receivedAt, int retentionDays)
    {
        var id = Guid.CreateVersion7();
        await store.AcceptAsync(
            new InboxEnvelope("politie", id, new byte[32], "RiskAssessed", "risk-assessment", "rule", [1, 2, 3], receivedAt, receivedAt, receivedAt.AddDays(retentionDays)),
            new LogEntry { Time = receivedAt, Event = LogEvent.Received, Outcome = "ok", MessageId = id }, _ => [9], default);
        return id;
    }

    [Fact]
    public async Task RetentionEnded_BodyIsPurged_WithALogEntry_AndTheLogStaysWhole()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var shortLived = await ReceiveAsync(start, retentionDays: 30);
        var longLived = await ReceiveAsync(start, retentionDays: 365);

        Assert.Equal(0, await store.PurgeExpiredAsync(start.AddDays(29), default));
        Assert.Equal(1, await store.PurgeExpiredAsync(start.AddDays(31), default));
        Assert.Equal(0, await store.PurgeExpiredAsync(start.AddDays(31), default));

        var unacknowledged = await store.GetUnacknowledgedAsync(0, 10, default);
        Assert.Equal([longLived], unacknowledged.Select(r => r.MessageId));
        var log = await store.ReadLogAsync(0, 10, default);
        Assert.Equal([LogEvent.Received, LogEvent.Received, LogEvent.Purged], log.Select(e => e.Event));
        Assert.Equal(shortLived, log[2].MessageId);
        // The receipt and the row stay (exactly-once still holds); only the body is gone.
        var row = await store.FindInboxAsync("politie", shortLived, default);
        Assert.NotNull(row);
        Assert.Empty(row.Payload);
    }
}
