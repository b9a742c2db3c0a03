using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;
using Microsoft.Data.Sqlite;

namespace ChainGateway.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a commit is durable when it
/// returns. One connection and one writer at a time; every state change and its log entries share one
/// transaction (DESIGN.md §7, §8).
/// </summary>
public sealed partial class SqliteNodeStore : INodeStore
{
    private readonly SqliteConnection connection;
    private readonly SemaphoreSlim gate = new(1, 1);

    public SqliteNodeStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        };
        connection = new SqliteConnection(builder.ToString());
        Path = path;
    }

    public string Path { get; }

    /// <summary>Durable commits so far: the group-commit metric (DESIGN.md §8).</summary>
    public long Commits => Interlocked.Read(ref commits);

    private long commits;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;");
        var version = Convert.ToInt32(Scalar("PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
        for (var i = version; i < SqliteSchema.Migrations.Length; i++)
        {
            using var tx = connection.BeginTransaction();
            Execute(SqliteSchema.Migrations[i], tx);
            Execute($"PRAGMA user_version = {i + 1};", tx);
            tx.Commit();
        }
    }

    public ValueTask DisposeAsync()
    {
        connection.Dispose();
        gate.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<T> WriteAsync<T>(Func<SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var tx = connection.BeginTransaction();
            var result = work(tx);
            tx.Commit();
            Interlocked.Increment(ref commits);
            return result;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<T> ReadAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return work();
        }
        finally
        {
            gate.Release();
        }
    }

    private void Execute(string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return command;
    }

    private static long Ticks(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis);
}
