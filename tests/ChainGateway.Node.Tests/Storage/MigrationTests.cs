using ChainGateway.Storage.Sqlite;

namespace ChainGateway.Node.Tests.Storage;

/// <summary>
/// Two processes opening one store at once (a node starting after an upgrade, and chaingw log verify) migrate it once; an
/// upgrade keeps what the store held.
/// </summary>
public sealed class MigrationTests
{
    [Fact]
    public async Task TwoStoresOpeningOneNewFileAtOnce_BothOpen_AndItIsMigratedOnce()
    {
        // Repeated: the two openings interleave differently each time; any run in which one applied a migration the other
        // had applied meanwhile failed before (CREATE TABLE/INDEX of a table that exists).
        for (var round = 0; round < 25; round++)
        {
            var path = Path.Combine(Path.GetTempPath(), $"chaingw-migrate-{Guid.NewGuid():N}.db");
            try
            {
                var stores = new[] { new SqliteNodeStore(path), new SqliteNodeStore(path) };
                try
                {
                    using var start = new Barrier(2);
                    await Task.WhenAll(stores.Select(store => Task.Run(async () =>
                    {
                        start.SignalAndWait();
                        await store.InitializeAsync(default);
                    })));
                    Assert.Empty(await stores[1].ReadLogAsync(0, 10, default));
                }
                finally
                {
                    foreach (var store in stores)
                    {
                        await store.DisposeAsync();
                    }
                }
                using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
                connection.Open();
                using var version = connection.CreateCommand();
                version.CommandText = "PRAGMA user_version";
                Assert.Equal((long)ChainGateway.Storage.Sqlite.SqliteSchema.Migrations.Length, version.ExecuteScalar());
            }
            finally
            {
                foreach (var file in new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists))
                {
                    File.Delete(file);
                }
            }
        }
    }

    [Fact]
    public async Task AStoreOfVersion10_KeepsItsPendingReminders_WhenTheirKeyGainsThePurpose()
    {
        var path = Path.Combine(Path.GetTempPath(), $"chaingw-migrate-{Guid.NewGuid():N}.db");
        try
        {
            var due = DateTimeOffset.UtcNow.AddDays(-1);
            using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
            {
                old.Open();
                using var command = old.CreateCommand();
                foreach (var migration in SqliteSchema.Migrations.Take(10))
                {
                    command.CommandText = migration;
                    command.ExecuteNonQuery();
                }
                command.CommandText = $"""
                    PRAGMA user_version = 10;
                    INSERT INTO measure_reminders (measure_id, expires_on, recipient, lead_days, due_at, purpose, rule_id, payload, state)
                    VALUES ('m-1', '2026-12-20', 'politie', 14, {due.ToUnixTimeMilliseconds()}, 'protection-order-enforcement',
                        'measure-expiry-reminder', X'0102', 0);
                    """;
                command.ExecuteNonQuery();
            }

            await using var store = new SqliteNodeStore(path);
            await store.InitializeAsync(default);
            var reminder = Assert.Single(await store.GetDueRemindersAsync(DateTimeOffset.UtcNow, 10, default));
            Assert.Equal(("m-1", "politie", "measure-expiry-reminder", 14), (reminder.MeasureId, reminder.Recipient, reminder.RuleId, reminder.LeadDays));
            Assert.Equal(new byte[] { 1, 2 }, reminder.Payload);
        }
        finally
        {
            foreach (var file in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(file);
            }
        }
    }
}
