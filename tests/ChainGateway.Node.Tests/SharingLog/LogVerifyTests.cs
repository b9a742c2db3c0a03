using ChainGateway.Contracts.V1;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using ChainGateway.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace ChainGateway.Node.Tests.SharingLog;

/// <summary><c>log verify</c>: recomputes leaves and roots from the store and checks the signed checkpoints; names the first bad entry.</summary>
public sealed class LogVerifyTests : IAsyncLifetime
{
    private TestFederation federation = null!;
    private string storePath = null!;

    public async Task InitializeAsync()
    {
        federation = TestFederation.Create();
        var politie = await federation.StartAsync("politie");
        var om = await federation.StartAsync("om");
        using var sender = federation.Client("politie");
        for (var i = 0; i < 4; i++)
        {
            var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
            Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);
            Assert.NotNull(await politie.CheckpointAsync());
        }
        storePath = politie.Store.Path;
        await federation.StopAsync(politie);
        await federation.StopAsync(om);
    }

    public async Task DisposeAsync() => await federation.DisposeAsync();

    private async Task<LogAuditResult> VerifyAsync(int page = 50_000)
    {
        using var node = NodeContext.Load(federation.Configuration("politie"), TimeProvider.System);
        var store = new SqliteNodeStore(storePath);
        await using (store)
        {
            await store.InitializeAsync(default);
            return await SharingLogAudit.VerifyAsync(node, store, null, page, default);
        }
    }

    private void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={storePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        command.ExecuteNonQuery();
    }

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={storePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task UntouchedLog_Verifies_WithEveryCheckpoint()
    {
        var result = await VerifyAsync();
        Assert.True(result.Ok, result.Problem);
        Assert.True(result.Entries >= 9, $"{result.Entries} entries");
        Assert.True(result.Checkpoints >= 4, $"{result.Checkpoints} checkpoints");
        Assert.Equal(Scalar("SELECT max(size) FROM checkpoints"), result.SignedEntries);
        Assert.True(result.SignedEntries <= result.Entries);
    }

    [Theory]
    [InlineData("partner", "veilig-thuis")]
    [InlineData("outcome", "denied")]
    [InlineData("time", 1L)]
    [InlineData("rule_id", "another-rule")]
    public async Task ChangedEntryField_IsDetected_NamingTheEntry(string column, object value)
    {
        Execute($"UPDATE sharing_log SET {column} = $v WHERE idx = 3", ("$v", value));
        var result = await VerifyAsync();
        Assert.False(result.Ok);
        Assert.StartsWith("entry #3:", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RewrittenEntryWithRecomputedLeafHash_IsCaughtByTheSignedCheckpoint()
    {
        // A careful forger changes an entry AND its leaf hash; only the signed root can tell.
        LogEntry third;
        {
            var store = new SqliteNodeStore(storePath);
            await using (store)
            {
                await store.InitializeAsync(default);
                third = (await store.ReadLogAsync(3, 1, default))[0];
            }
        }
        var forged = third with { Partner = "veilig-thuis" };
        Execute("UPDATE sharing_log SET partner = $p, leaf_hash = $leaf WHERE idx = 3",
            ("$p", "veilig-thuis"), ("$leaf", MerkleTree.HashLeaf(LogEntryEncoding.Encode(forged))));
        var result = await VerifyAsync();
        Assert.False(result.Ok);
        Assert.Contains("no longer hash to its signed root", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_SelectsByPartner_AndEveryProofVerifiesAgainstTheCheckpoint()
    {
        using var writer = new StringWriter();
        int count;
        var store = new SqliteNodeStore(storePath);
        await using (store)
        {
            await store.InitializeAsync(default);
            count = await SharingLogExport.WriteAsync(store, new LogExportFilter(Partner: "om"), writer, default);
        }
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(count >= 8, $"{count} entries");
        Assert.Equal(count + 1, lines.Length);
        var checkpoint = Checkpoint.Parse(System.Text.Json.JsonDocument.Parse(lines[0]).RootElement.GetProperty("checkpoint").GetString()!);
        foreach (var line in lines.Skip(1))
        {
            var entry = System.Text.Json.JsonDocument.Parse(line).RootElement;
            Assert.Equal("om", entry.GetProperty("partner").GetString());
            var proof = entry.GetProperty("inclusionProof").EnumerateArray().Select(p => Convert.FromBase64String(p.GetString()!)).ToArray();
            Assert.True(MerkleProofs.VerifyInclusion(Convert.FromBase64String(entry.GetProperty("leafHash").GetString()!),
                entry.GetProperty("index").GetInt64() - 1, checkpoint.Size, proof, checkpoint.RootHash));
        }
    }

    [Theory]
    [InlineData("DELETE FROM sharing_log WHERE idx = 6", "entry #6 is missing")]
    [InlineData("UPDATE sharing_log SET detail = 'changed' WHERE idx = 3", "entry #3 does not hash to its stored leaf")]
    [InlineData("DELETE FROM sharing_log WHERE idx = (SELECT MAX(size) FROM checkpoints)", "its latest checkpoint signs")]
    public async Task Export_OfALogThatDoesNotMatchItsCheckpoint_IsRefused_NotWrittenWithProofsThatFail(string change, string problem)
    {
        Execute(change);
        using var writer = new StringWriter();
        var store = new SqliteNodeStore(storePath);
        await using (store)
        {
            await store.InitializeAsync(default);
            var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => SharingLogExport.WriteAsync(store, new LogExportFilter(), writer, default));
            Assert.Contains(problem, refusal.Message, StringComparison.Ordinal);
            Assert.Contains("run chaingw log verify", refusal.Message, StringComparison.Ordinal);
        }
        Assert.Empty(writer.ToString());
    }

    [Fact]
    public async Task UntouchedLog_Verifies_InTwoHalves()
    {
        // Two rows per read: the signed entries are checked in two halves on two connections, as for a large log.
        var result = await VerifyAsync(page: 2);
        Assert.True(result.Ok, result.Problem);
        Assert.Equal((await VerifyAsync()).Entries, result.Entries);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(7)]
    public async Task ChangedEntryField_IsNamed_InEitherHalf(long index)
    {
        Execute("UPDATE sharing_log SET detail = 'changed' WHERE idx = $i", ("$i", index));
        var result = await VerifyAsync(page: 2);
        Assert.StartsWith($"entry #{index}: its stored leaf hash does not match", result.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(50_000)]
    [InlineData(2)]
    public async Task NullFieldMadeEmpty_IsDetected_AndAnEmptyFieldIsReadAsEmpty(int page)
    {
        // SQLite gives no bytes for an empty TEXT value, as for NULL; the scan must still tell them apart.
        var index = Scalar("SELECT MIN(idx) FROM sharing_log WHERE idx > 1 AND detail IS NULL");
        Execute("UPDATE sharing_log SET detail = '' WHERE idx = $i", ("$i", index));
        Assert.StartsWith($"entry #{index}: its stored leaf hash does not match", (await VerifyAsync(page)).Problem, StringComparison.Ordinal);

        // With the leaf hash of the entry with an empty detail, the entry itself checks out (so '' was read as present and
        // empty, not as NULL); only the signed checkpoint still tells.
        LogEntry entry;
        {
            var store = new SqliteNodeStore(storePath);
            await using (store)
            {
                await store.InitializeAsync(default);
                entry = (await store.ReadLogAsync(index, 1, default))[0];
            }
        }
        Assert.Equal("", entry.Detail);
        Execute("UPDATE sharing_log SET leaf_hash = $leaf WHERE idx = $i", ("$leaf", MerkleTree.HashLeaf(LogEntryEncoding.Encode(entry))), ("$i", index));
        Assert.Contains("no longer hash to its signed root", (await VerifyAsync(page)).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletedEntry_IsNamed_InTwoHalves()
    {
        Execute("DELETE FROM sharing_log WHERE idx = 6");
        var result = await VerifyAsync(page: 2);
        Assert.StartsWith("entry #6: missing", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownEventName_CannotBeEncoded_AndIsNamed()
    {
        Execute("UPDATE sharing_log SET event = 'Invented' WHERE idx = 4");
        Assert.StartsWith("entry #4: cannot be encoded", (await VerifyAsync()).Problem, StringComparison.Ordinal);
        Assert.StartsWith("entry #4: cannot be encoded", (await VerifyAsync(page: 2)).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeletedEntry_IsNamed()
    {
        Execute("DELETE FROM sharing_log WHERE idx = 2");
        var result = await VerifyAsync();
        Assert.StartsWith("entry #2: missing", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangedCheckpointSignature_IsDetected()
    {
        Execute("UPDATE checkpoints SET note = replace(note, substr(note, length(note) - 5, 1), CASE substr(note, length(note) - 5, 1) WHEN 'A' THEN 'B' ELSE 'A' END) WHERE size = (SELECT MIN(size) FROM checkpoints)");
        var result = await VerifyAsync();
        Assert.False(result.Ok);
        Assert.Contains("signature does not verify", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckpointsSignedBeforeAKeyRotation_VerifyWithTheOldListedKey()
    {
        // politie is rotating its signing key: the new one is listed first, the old one (that signed every stored
        // checkpoint) is still listed and valid for the overlap. The first key valid now is not the one that signed.
        using var next = NSec.Cryptography.Key.Create(NSec.Cryptography.SignatureAlgorithm.Ed25519);
        EditPolitieSigningKeys(keys => keys.Insert(0, ListedKey(next.PublicKey, DateTimeOffset.UtcNow.AddMinutes(-1))));
        var result = await VerifyAsync();
        Assert.True(result.Ok, result.Problem);
        Assert.True(result.Checkpoints >= 4, $"{result.Checkpoints} checkpoints");
    }

    private void EditPolitieSigningKeys(Action<System.Text.Json.Nodes.JsonArray> edit)
    {
        var path = Path.Combine(federation.Directory, "trust-list.json");
        var document = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        var politie = document["organisations"]!.AsArray().Single(o => (string?)o!["id"] == "politie")!;
        edit(politie["signingKeys"]!.AsArray());
        File.WriteAllText(path, document.ToJsonString());
    }

    private static System.Text.Json.Nodes.JsonObject ListedKey(NSec.Cryptography.PublicKey key, DateTimeOffset notBefore)
    {
        var raw = key.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        return new()
        {
            ["keyId"] = Core.Federation.KeyThumbprint.Of(raw),
            ["publicKey"] = System.Buffers.Text.Base64Url.EncodeToString(raw),
            ["notBefore"] = notBefore.ToString("O"),
            ["notAfter"] = notBefore.AddYears(1).ToString("O"),
        };
    }
}
