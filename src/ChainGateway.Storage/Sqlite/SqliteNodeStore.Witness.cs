using ChainGateway.Core.SharingLog;

namespace ChainGateway.Storage.Sqlite;

// Witnessing (C2SP tlog-cosignature): cosignatures partners gave our checkpoints, and partners' checkpoints we cosigned.
public sealed partial class SqliteNodeStore
{
    public Task<string?> ReadCheckpointAsync(long size, CancellationToken cancellationToken) =>
        ReadAsync(c =>
        {
            using var command = Command(c, "SELECT note FROM checkpoints WHERE size = $size");
            command.Parameters.AddWithValue("$size", size);
            return command.ExecuteScalar() as string;
        }, cancellationToken);

    public Task AddCosignatureAsync(StoredCosignature cosignature, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cosignature);
        return WriteAsync(tx =>
        {
            using var command = Command("""
                INSERT INTO cosignatures (size, witness, timestamp, line, received_at) VALUES ($size, $witness, $ts, $line, $at)
                ON CONFLICT (size, witness) DO UPDATE SET timestamp = excluded.timestamp, line = excluded.line, received_at = excluded.received_at
                WHERE excluded.timestamp > cosignatures.timestamp
                """, tx);
            command.Parameters.AddWithValue("$size", cosignature.Size);
            command.Parameters.AddWithValue("$witness", cosignature.Witness);
            command.Parameters.AddWithValue("$ts", cosignature.Timestamp);
            command.Parameters.AddWithValue("$line", cosignature.Line);
            command.Parameters.AddWithValue("$at", Ticks(receivedAt));
            return command.ExecuteNonQuery();
        }, cancellationToken);
    }

    public Task<IReadOnlyList<StoredCosignature>> ReadCosignaturesAsync(long? size, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<StoredCosignature>>(c =>
        {
            using var command = Command(c, size is null
                ? "SELECT size, witness, timestamp, line FROM cosignatures ORDER BY size, witness"
                : "SELECT size, witness, timestamp, line FROM cosignatures WHERE size = $size ORDER BY witness");
            if (size is { } s)
            {
                command.Parameters.AddWithValue("$size", s);
            }
            using var reader = command.ExecuteReader();
            var result = new List<StoredCosignature>();
            while (reader.Read())
            {
                result.Add(new StoredCosignature(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3)));
            }
            return result;
        }, cancellationToken);

    public Task SaveWitnessedAsync(WitnessedCheckpoint witnessed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(witnessed);
        return WriteAsync(tx =>
        {
            using var command = Command("""
                INSERT INTO witnessed (partner, size, root, note, cosigned_at) VALUES ($partner, $size, $root, $note, $at)
                ON CONFLICT (partner, size) DO UPDATE SET cosigned_at = excluded.cosigned_at WHERE root = excluded.root
                """, tx);
            command.Parameters.AddWithValue("$partner", witnessed.Partner);
            command.Parameters.AddWithValue("$size", witnessed.Size);
            command.Parameters.AddWithValue("$root", witnessed.Root);
            command.Parameters.AddWithValue("$note", witnessed.Note);
            command.Parameters.AddWithValue("$at", Ticks(witnessed.CosignedAt));
            return command.ExecuteNonQuery();
        }, cancellationToken);
    }

    public Task<WitnessedCheckpoint?> ReadWitnessedAsync(string partner, CancellationToken cancellationToken) =>
        ReadAsync(c =>
        {
            using var command = Command(c, "SELECT size, root, note, cosigned_at FROM witnessed WHERE partner = $partner ORDER BY size DESC LIMIT 1");
            command.Parameters.AddWithValue("$partner", partner);
            using var reader = command.ExecuteReader();
            return reader.Read()
                ? new WitnessedCheckpoint(partner, reader.GetInt64(0), (byte[])reader[1], reader.GetString(2), Time(reader.GetInt64(3)))
                : null;
        }, cancellationToken);
}
