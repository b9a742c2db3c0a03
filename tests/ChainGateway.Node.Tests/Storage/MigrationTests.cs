using ChainGateway.Storage.Sqlite;

namespace ChainGateway.Node.Tests.Storage;

/// <summary>Two processes opening one store at once (a node starting after an upgrade, and chaingw log verify) migrate it once.</summary>
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
                Assert.Equal(10L, version.ExecuteScalar());
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
}
