using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;

namespace ChainGateway.Node.Tests.Storage;

/// <summary>A sent envelope is kept while it is queued, and emptied once its delivery is finished; its hash and receipt stay.</summary>
public sealed class SentEnvelopeTests : TempStore
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static byte[] Marker(string name) => System.Text.Encoding.ASCII.GetBytes($"ENVELOPE-{name}-{Guid.NewGuid():N}-END");

    private async Task<Guid> EnqueueAsync(byte[] envelope)
    {
        var id = Guid.CreateVersion7();
        await Store.EnqueueAsync([new OutboxEnvelope(id, "om", 1, envelope, [.. Enumerable.Repeat((byte)7, 32)], Start, Start.AddDays(3), 0,
            new LogEntry { Time = Start, Event = LogEvent.Sent, Outcome = "ok", Partner = "om", MessageId = id })], default);
        return id;
    }

    private static LogEntry Entry(LogEvent e, Guid id) => new() { Time = Start, Event = e, Outcome = "ok", Partner = "om", MessageId = id };

    private static List<string> FilesHolding(byte[] marker, string path) =>
        [.. new[] { path, path + "-wal" }.Where(File.Exists).Where(f => File.ReadAllBytes(f).AsSpan().IndexOf(marker) >= 0).Select(f => Path.GetFileName(f))];

    [Fact]
    public async Task FinishedDeliveries_LeaveNoEnvelopeInTheStoresFiles_TheQueuedOneIsDeliveredWhole_ReceiptsAndHashesStay()
    {
        var (deliveredBytes, deadBytes, queuedBytes) = (Marker("delivered"), Marker("dead"), Marker("queued"));
        var delivered = await EnqueueAsync(deliveredBytes);
        var dead = await EnqueueAsync(deadBytes);
        var queued = await EnqueueAsync(queuedBytes);
        // Traffic after them, as on a node: their pages are in the database file, not only in the write-ahead log.
        for (var i = 0; i < 50; i++)
        {
            await EnqueueAsync(new byte[400]);
        }

        Assert.True(await Store.MarkDeliveredAsync(delivered, [42, 43], Entry(LogEvent.Delivered, delivered), default));
        Assert.True(await Store.MarkDeadLetterAsync(dead, "EXPIRED", Entry(LogEvent.DeadLettered, dead), default));
        await Store.ScrubAsync(default);

        var due = await Store.GetDueAsync("om", Start, 100, default);
        Assert.Equal(queuedBytes, Assert.Single(due, d => d.MessageId == queued).Envelope);
        Assert.DoesNotContain(due, d => d.MessageId == delivered || d.MessageId == dead);
        var status = await Store.GetOutboxStatusAsync(delivered, default);
        Assert.Equal(OutboxState.Delivered, status!.State);
        Assert.Equal(new byte[] { 42, 43 }, status.Receipt);
        Assert.Equal(OutboxState.DeadLetter, (await Store.GetOutboxStatusAsync(dead, default))!.State);

        var found = new Dictionary<string, List<string>>();
        await ReopenAsync(path =>
        {
            found["delivered"] = FilesHolding(deliveredBytes, path);
            found["dead"] = FilesHolding(deadBytes, path);
            found["queued"] = FilesHolding(queuedBytes, path);
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
            connection.Open();
            using var hashes = connection.CreateCommand();
            hashes.CommandText = "SELECT count(*) FROM outbox WHERE length(envelope_hash) = 32";
            Assert.Equal(53L, hashes.ExecuteScalar());
        });
        Assert.Empty(found["delivered"]);
        Assert.Empty(found["dead"]);
        Assert.NotEmpty(found["queued"]);
    }

    [Fact]
    public async Task Migration10_EmptiesTheEnvelopesOfDeliveriesFinishedBeforeIt_AndKeepsTheQueuedOnes()
    {
        var delivered = await EnqueueAsync([1, 2, 3]);
        var queued = await EnqueueAsync([4, 5, 6]);
        Assert.True(await Store.MarkDeliveredAsync(delivered, [42], Entry(LogEvent.Delivered, delivered), default));

        // As a version-9 store left it: a delivered envelope still held.
        await ReopenAsync(path =>
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE outbox SET envelope = X'010203' WHERE state = 2; PRAGMA user_version = 9;";
            command.ExecuteNonQuery();
        });

        await ReopenAsync(path =>
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT message_id, length(envelope), receipt IS NOT NULL FROM outbox ORDER BY created_at, message_id";
            using var reader = command.ExecuteReader();
            var rows = new Dictionary<Guid, (long Length, bool Receipt)>();
            while (reader.Read())
            {
                rows[new Guid((byte[])reader[0], bigEndian: true)] = (reader.GetInt64(1), reader.GetBoolean(2));
            }
            Assert.Equal((0L, true), rows[delivered]);
            Assert.Equal((3L, false), rows[queued]);
        });
    }
}
