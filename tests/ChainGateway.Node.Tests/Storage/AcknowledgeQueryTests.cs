using ChainGateway.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace ChainGateway.Node.Tests.Storage;

/// <summary>An Ack names message ids; each must be found by an index, not by a scan of the unacknowledged rows.</summary>
public sealed class AcknowledgeQueryTests : TempStore
{
    [Fact]
    public void AnAcknowledgedMessageId_IsFoundThroughTheIndexOnMessageIds()
    {
        // The plan SQLite chooses for the statement AcknowledgeAsync runs, on this store's schema. Through inbox_unacked it
        // visited every unacknowledged row for each id, on the writer: a backlog of a day, acked in pages, stalled every
        // write behind it (urgent ones too), in time growing with the square of the backlog.
        using var connection = new SqliteConnection($"Data Source={StorePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + SqliteNodeStore.AcknowledgeSql;
        command.Parameters.AddWithValue("$id", Guid.NewGuid().ToByteArray(bigEndian: true));
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }
        Assert.Contains(plan, step => step.Contains("USING INDEX inbox_message (message_id=?)", StringComparison.Ordinal));
    }
}
