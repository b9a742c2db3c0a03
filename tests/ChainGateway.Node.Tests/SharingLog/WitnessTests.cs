using ChainGateway.Contracts.V1;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using ChainGateway.Node.Witness;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ChainGateway.Node.Tests.SharingLog;

/// <summary>Partners as each other's witnesses (C2SP tlog-cosignature): real nodes fetch, check and cosign each other's checkpoints.</summary>
public sealed class WitnessTests : IAsyncLifetime
{
    private TestFederation federation = null!;
    private ChainNode politie = null!;
    private ChainNode om = null!;

    public async Task InitializeAsync()
    {
        federation = TestFederation.Create();
        politie = await federation.StartAsync("politie");
        om = await federation.StartAsync("om");
        using var sender = federation.Client("politie");
        var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);
        await politie.CheckpointAsync();
        await om.CheckpointAsync();
    }

    public async Task DisposeAsync() => await federation.DisposeAsync();

    private static async Task<WitnessResult> WitnessAsync(ChainNode witness, string partner) =>
        Assert.Single(await witness.WitnessAsync(), r => r.Partner == partner);

    [Fact]
    public async Task TwoNodes_CosignEachOther_AndServeTheCosignedCheckpoint()
    {
        Assert.True((await WitnessAsync(om, "politie")).Cosigned);
        Assert.True((await WitnessAsync(politie, "om")).Cosigned);

        foreach (var (log, witness) in new[] { (politie, "om"), (om, "politie") })
        {
            var cosignature = Assert.Single(await log.Store.ReadCosignaturesAsync(null, default));
            Assert.Equal(witness, cosignature.Witness);
            var note = await log.Store.ReadCheckpointAsync(cosignature.Size, default);
            Assert.NotNull(note);
            var key = federation.Configuration(witness);
            using var witnessContext = NodeContext.Load(key, TimeProvider.System);
            Assert.NotNull(Cosignature.Verify(cosignature.Line, SignedNote.Parse(note).Body, "chaingateway/" + witness, witnessContext.Keys.Signing.PublicKey));
        }
        // The served checkpoint carries the cosignature after the log's own signature, and still opens with the log's key.
        var served = await om.Services.GetRequiredService<Tiles.PartnerLogClient>().GetCheckpointAsync("politie", default);
        Assert.Contains("\u2014 chaingateway/om ", served, StringComparison.Ordinal);
        Assert.NotNull(Checkpoint.Open(served, "chaingateway/politie", politie.Context.Keys.Signing.PublicKey));
        Assert.Contains(federation.Logs.Events, e => e.EventId.Name == "CosignatureStored");
    }

    [Fact]
    public async Task GrownLog_IsCosignedAgain_AfterItsConsistencyProofVerifies()
    {
        var first = await WitnessAsync(om, "politie");
        Assert.True(first.Cosigned);
        using var sender = federation.Client("politie");
        var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);
        await politie.CheckpointAsync();
        var second = await WitnessAsync(om, "politie");
        Assert.True(second.Cosigned, second.Detail);
        Assert.True(second.Size > first.Size);
        Assert.Equal(second.Size, (await om.Store.ReadWitnessedAsync("politie", default))!.Size);
        Assert.Contains(await politie.Store.ReadCosignaturesAsync(second.Size, default), c => c.Witness == "om");
    }

    [Fact]
    public async Task RewrittenPartnerLog_IsRefusedByTheWitness_WithAnAlert()
    {
        var cosigned = await WitnessAsync(om, "politie");
        Assert.True(cosigned.Cosigned);

        // Behind politie's back: entry #2 and its leaf hash are rewritten, and the checkpoints that covered it deleted (with
        // them in place politie would refuse to sign); on restart politie signs the forged history.
        var path = politie.Store.Path;
        await federation.StopAsync(politie);
        var entry = await ReadEntryAsync(path, 2);
        Rewrite(path, "UPDATE sharing_log SET detail = 'rewritten', leaf_hash = $leaf WHERE idx = 2",
            MerkleTree.HashLeaf(LogEntryEncoding.Encode(entry with { Detail = "rewritten" })));
        Rewrite(path, "DELETE FROM checkpoints WHERE size >= $size", 2L);
        politie = await federation.StartAsync("politie");
        await politie.CheckpointAsync();

        var refused = await WitnessAsync(om, "politie");
        Assert.Equal(WitnessRefusal.LogForked, refused.Refusal);
        await AssertAlertAsync("LOG_FORKED", cosigned.Size);
    }

    [Fact]
    public async Task DifferentCheckpointOfTheSameSize_IsRefusedAsAFork()
    {
        var cosigned = await WitnessAsync(om, "politie");
        Assert.True(cosigned.Cosigned);

        // The last entry is dropped behind politie's back; the restart's AgreementLoaded entry takes its place, so
        // politie signs a checkpoint of the same size with another root.
        var path = politie.Store.Path;
        await federation.StopAsync(politie);
        Rewrite(path, "DELETE FROM sharing_log WHERE idx = (SELECT MAX(idx) FROM sharing_log); DELETE FROM checkpoints WHERE size >= $size", cosigned.Size);
        politie = await federation.StartAsync("politie");
        await politie.CheckpointAsync();

        var refused = await WitnessAsync(om, "politie");
        Assert.Equal(cosigned.Size, refused.Size);
        Assert.Equal(WitnessRefusal.LogForked, refused.Refusal);
        await AssertAlertAsync("LOG_FORKED", cosigned.Size);
    }

    [Fact]
    public async Task ShrunkPartnerLog_IsRefusedAsRolledBack()
    {
        var cosigned = await WitnessAsync(om, "politie");
        Assert.True(cosigned.Cosigned);

        // Behind politie's back its last three entries and the checkpoints that covered them are deleted; after the
        // restart it signs a checkpoint smaller than the one om already cosigned.
        var path = politie.Store.Path;
        await federation.StopAsync(politie);
        Rewrite(path, "DELETE FROM sharing_log WHERE idx > (SELECT MAX(idx) FROM sharing_log) - 3; DELETE FROM checkpoints WHERE size > $size - 3",
            cosigned.Size);
        politie = await federation.StartAsync("politie");
        await politie.CheckpointAsync();

        var refused = await WitnessAsync(om, "politie");
        Assert.Equal(WitnessRefusal.RolledBack, refused.Refusal);
        Assert.True(refused.Size < cosigned.Size);
        await AssertAlertAsync("ROLLED_BACK", cosigned.Size);
    }

    [Fact]
    public async Task BackgroundWitness_CosignsAtItsInterval()
    {
        // node.json sharingLog.witnessSeconds = 1 for om; wait for the event, not for time.
        var path = om.Store.Path;
        await federation.StopAsync(om);
        var config = Path.Combine(federation.ConfigDirectory("om"), "node.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json["sharingLog"] = new System.Text.Json.Nodes.JsonObject { ["witnessSeconds"] = 1 };
        File.WriteAllText(config, json.ToJsonString());
        Assert.Equal(1, federation.Configuration("om").SharingLog.WitnessSeconds);
        om = await federation.StartAsync("om");
        Assert.Equal(path, om.Store.Path);
        await federation.Logs.WaitForAsync(e => e.EventId.Name == "CosignatureStored" && e.Message.Contains("om's cosignature", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains(await politie.Store.ReadCosignaturesAsync(null, default), c => c.Witness == "om");
    }

    [Fact]
    public async Task LogVerify_ChecksEveryCosignature_AndNamesABadOne()
    {
        Assert.True((await WitnessAsync(om, "politie")).Cosigned);
        Assert.True((await WitnessAsync(politie, "om")).Cosigned);
        var path = politie.Store.Path;
        await federation.StopAsync(politie);
        var sound = await VerifyAsync("politie", path);
        Assert.True(sound.Ok, sound.Problem);
        Assert.Equal(1, sound.Cosignatures);

        // A cosignature whose timestamp was moved no longer verifies; log verify names the witness and size.
        Rewrite(path, "UPDATE cosignatures SET timestamp = timestamp + 1 WHERE witness = 'om' AND size = $size", (await ReadCosignatureSizeAsync(path)));
        var bad = await VerifyAsync("politie", path);
        Assert.False(bad.Ok);
        Assert.StartsWith("cosignature by 'om' of the checkpoint at size ", bad.Problem, StringComparison.Ordinal);
        Assert.Contains("does not verify", bad.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogVerify_ShowsTheWitnessAlerts()
    {
        var cosigned = await WitnessAsync(om, "politie");
        var path = politie.Store.Path;
        await federation.StopAsync(politie);
        Rewrite(path, "DELETE FROM sharing_log WHERE idx = (SELECT MAX(idx) FROM sharing_log); DELETE FROM checkpoints WHERE size >= $size", cosigned.Size);
        politie = await federation.StartAsync("politie");
        await politie.CheckpointAsync();
        Assert.Equal(WitnessRefusal.LogForked, (await WitnessAsync(om, "politie")).Refusal);
        var omPath = om.Store.Path;
        await federation.StopAsync(om);
        var result = await VerifyAsync("om", omPath);
        Assert.True(result.Ok, result.Problem);
        var alert = Assert.Single(result.WitnessAlerts);
        Assert.Equal(("politie", "LOG_FORKED"), (alert.Partner, alert.ReasonCode));
    }

    private async Task<LogAuditResult> VerifyAsync(string organisation, string path)
    {
        using var node = NodeContext.Load(federation.Configuration(organisation), TimeProvider.System);
        var store = new ChainGateway.Storage.Sqlite.SqliteNodeStore(path);
        await using (store)
        {
            await store.InitializeAsync(default);
            return await SharingLogAudit.VerifyAsync(node, store, null, default);
        }
    }

    private static async Task<long> ReadCosignatureSizeAsync(string path)
    {
        var store = new ChainGateway.Storage.Sqlite.SqliteNodeStore(path);
        await using (store)
        {
            await store.InitializeAsync(default);
            return Assert.Single(await store.ReadCosignaturesAsync(null, default)).Size;
        }
    }

    private async Task AssertAlertAsync(string code, long cosignedSize)
    {
        await federation.Logs.WaitForAsync(e => e.EventId.Name == "WitnessRefused" && e.Message.Contains(code, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var log = await om.Store.ReadLogAsync(1, 10_000, default);
        var alert = Assert.Single(log, e => e.Event == LogEvent.WitnessRefused);
        Assert.Equal(("politie", code, "refused"), (alert.Partner, alert.ReasonCode, alert.Outcome));
        // The operator sees it in the outbox status (chaingw status).
        using (var operatorClient = federation.Client("om", "operator"))
        {
            var status = await operatorClient.Api.GetOutboxAsync(new Contracts.V1.OutboxRequest(), operatorClient.Headers);
            var shown = Assert.Single(status.Alerts);
            Assert.Equal(("politie", code, (ulong)alert.Index), (shown.Partner, shown.ReasonCode, shown.LogIndex));
        }
        // Nothing inconsistent was cosigned: the witness still holds the old checkpoint, politie got no new cosignature.
        Assert.Equal(cosignedSize, (await om.Store.ReadWitnessedAsync("politie", default))!.Size);
        Assert.DoesNotContain(await politie.Store.ReadCosignaturesAsync(null, default), c => c.Size != cosignedSize);
        // A second round does not raise the same alert again.
        Assert.False((await WitnessAsync(om, "politie")).Cosigned);
        Assert.Single(await om.Store.ReadLogAsync(1, 10_000, default), e => e.Event == LogEvent.WitnessRefused);
    }

    private static async Task<LogEntry> ReadEntryAsync(string path, long index)
    {
        var store = new ChainGateway.Storage.Sqlite.SqliteNodeStore(path);
        await using (store)
        {
            await store.InitializeAsync(default);
            return (await store.ReadLogAsync(index, 1, default))[0];
        }
    }

    private static void Rewrite(string path, string sql, object parameter)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue(sql.Contains("$leaf", StringComparison.Ordinal) ? "$leaf" : "$size", parameter);
        command.ExecuteNonQuery();
    }
}
