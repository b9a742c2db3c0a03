using ChainGateway.Storage.Sqlite;

namespace ChainGateway.Node.Tests.Storage;

/// <summary>A real SQLite store in a temporary file, removed (with its WAL files) after the test.</summary>
public abstract class TempStore : IAsyncLifetime
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"chaingw-store-{Guid.NewGuid():N}.db");

    protected SqliteNodeStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Store = new SqliteNodeStore(path);
        await Store.InitializeAsync(default);
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists))
        {
            File.Delete(file);
        }
    }
}
