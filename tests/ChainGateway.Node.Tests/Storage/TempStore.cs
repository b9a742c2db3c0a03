using ChainGateway.Storage.Sqlite;

namespace ChainGateway.Node.Tests.Storage;

/// <summary>A real SQLite store in a temporary file, removed (with its WAL files) after the test.</summary>
public abstract class TempStore : IAsyncLifetime
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"chaingw-store-{Guid.NewGuid():N}.db");

    protected SqliteNodeStore Store { get; private set; } = null!;

    /// <summary>The store's file, for a test that changes it from outside while the store is closed.</summary>
    protected string StorePath => path;

    /// <summary>Closes the store, runs <paramref name="whileClosed"/>, and opens it again (its migrations run then).</summary>
    protected async Task ReopenAsync(Action<string> whileClosed)
    {
        await Store.DisposeAsync();
        whileClosed(path);
        Store = new SqliteNodeStore(path);
        await Store.InitializeAsync(default);
    }

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
