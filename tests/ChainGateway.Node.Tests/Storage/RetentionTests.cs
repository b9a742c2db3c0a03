using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;

namespace ChainGateway.Node.Tests.Storage;

public sealed class RetentionTests : TempStore
{
    private async Task<Guid> ReceiveAsync(DateTimeOffset receivedAt, int retentionDays)
    {
        var id = Guid.CreateVersion7();
        await Store.AcceptAsync(
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

        Assert.Equal(0, await Store.PurgeExpiredAsync(start.AddDays(29), default));
        Assert.Equal(1, await Store.PurgeExpiredAsync(start.AddDays(31), default));
        Assert.Equal(0, await Store.PurgeExpiredAsync(start.AddDays(31), default));

        var unacknowledged = await Store.GetUnacknowledgedAsync(0, 10, default);
        Assert.Equal([longLived], unacknowledged.Select(r => r.MessageId));
        var log = await Store.ReadLogAsync(0, 10, default);
        Assert.Equal([LogEvent.Received, LogEvent.Received, LogEvent.Purged], log.Select(e => e.Event));
        Assert.Equal(shortLived, log[2].MessageId);
        // The receipt and the row stay (exactly-once still holds); only the body is gone.
        var row = await Store.FindInboxAsync("politie", shortLived, default);
        Assert.NotNull(row);
        Assert.Empty(row.Payload);
    }
}
