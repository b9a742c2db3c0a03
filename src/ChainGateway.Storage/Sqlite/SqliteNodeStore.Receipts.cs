using ChainGateway.Core.Delivery;

namespace ChainGateway.Storage.Sqlite;

// log reconcile: the receipts partners gave for what we delivered.
public sealed partial class SqliteNodeStore
{
    public Task<IReadOnlyList<DeliveredReceipt>> ReadReceiptsAsync(string recipient, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<DeliveredReceipt>>(c =>
        {
            using var command = Command(c, """
                SELECT message_id, envelope_hash, receipt FROM outbox
                WHERE recipient = $recipient AND state = $delivered AND receipt IS NOT NULL ORDER BY created_at, message_id
                """);
            command.Parameters.AddWithValue("$recipient", recipient);
            command.Parameters.AddWithValue("$delivered", (int)OutboxState.Delivered);
            using var reader = command.ExecuteReader();
            var result = new List<DeliveredReceipt>();
            while (reader.Read())
            {
                result.Add(new DeliveredReceipt(new Guid((byte[])reader[0], bigEndian: true), (byte[])reader[1], (byte[])reader[2]));
            }
            return result;
        }, cancellationToken);
}
