using ChainGateway.Contracts.V1;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using ChainGateway.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ChainGateway.Node.Tests.SharingLog;

/// <summary>
/// A restarted node rebuilds its tree from the stored leaf hashes; before it signs, that tree must agree with the
/// checkpoint it signed before, and the entries after that checkpoint with their leaf hashes. Otherwise it signs
/// nothing, logs an error, and serves on.
/// </summary>
public sealed class CheckpointRestartTests : IAsyncLifetime
{
    private TestFederation federation = null!;
    private ChainNode politie = null!;
    private string path = null!;
    private IReadOnlyList<string> checkpointsBefore = null!;

    public async Task InitializeAsync()
    {
        federation = TestFederation.Create();
        politie = await federation.StartAsync("politie");
        await federation.StartAsync("om");
        await SendAsync();
        Assert.NotNull(await politie.CheckpointAsync());
        path = politie.Store.Path;
        await federation.StopAsync(politie);
        checkpointsBefore = await ReadCheckpointsAsync();
    }

    public async Task DisposeAsync() => await federation.DisposeAsync();

    [Fact]
    public async Task EntryAndLeafHashRewrittenUnderACheckpoint_NothingIsSigned_TheErrorIsLogged_AndTheNodeServes()
    {
        // Entry #2 and its leaf hash, rewritten alike: the leaves hash on, but not to the root signed before.
        var entry = await ReadEntryAsync(2);
        Execute("UPDATE sharing_log SET detail = 'rewritten', leaf_hash = $leaf WHERE idx = 2",
            MerkleTree.HashLeaf(LogEntryEncoding.Encode(entry with { Detail = "rewritten" })));

        var message = await RestartAndWaitForTheRefusalAsync();
        Assert.Contains($"entries #1..#{Checkpoint.Parse(checkpointsBefore[^1]).Size} give root ", message, StringComparison.Ordinal);
        await AssertRefusedButServingAsync();
    }

    [Fact]
    public async Task EntryAfterTheLastCheckpointRewritten_WithoutItsLeafHash_NothingIsSigned()
    {
        // An entry no checkpoint covers yet: only its stored fields against its leaf hash can tell.
        Execute("INSERT INTO sharing_log (time, event, outcome, detail, leaf_hash) VALUES (0, 'Denied', 'denied', 'as written', $leaf)",
            MerkleTree.HashLeaf(LogEntryEncoding.Encode(new LogEntry { Time = DateTimeOffset.UnixEpoch, Event = LogEvent.Denied, Outcome = "denied", Detail = "as written" })));
        var index = Checkpoint.Parse(checkpointsBefore[^1]).Size + 1;
        Execute($"UPDATE sharing_log SET detail = 'rewritten' WHERE idx = {index}", Array.Empty<byte>());

        var message = await RestartAndWaitForTheRefusalAsync();
        Assert.Contains($"entry #{index}: its stored leaf hash does not match its fields", message, StringComparison.Ordinal);
        await AssertRefusedButServingAsync();
    }

    [Fact]
    public async Task UntouchedLog_IsSignedOnAfterARestart_FromTheStoredNote()
    {
        politie = await federation.StartAsync("politie");
        var note = await politie.Services.GetRequiredService<SharingLogCheckpoints>().CheckpointAsync(default);
        note ??= (await politie.Services.GetRequiredService<SharingLogCheckpoints>().LatestAsync(default))?.Note;
        Assert.NotNull(note);
        Assert.DoesNotContain(federation.Logs.Events, e => e.EventId.Name == "CheckpointRefused");
        Assert.True(Checkpoint.Parse(note).Size >= Checkpoint.Parse(checkpointsBefore[^1]).Size);
    }

    private async Task<string> RestartAndWaitForTheRefusalAsync()
    {
        politie = await federation.StartAsync("politie");
        // The checkpoint service's first round at start finds it.
        await federation.Logs.WaitForAsync(e => e.EventId.Name == "CheckpointRefused", TimeSpan.FromSeconds(30));
        var refused = Assert.Single(federation.Logs.Events, e => e.EventId.Name == "CheckpointRefused");
        Assert.Equal(1015, refused.EventId.Id);
        return refused.Message;
    }

    private async Task AssertRefusedButServingAsync()
    {
        var checkpoints = politie.Services.GetRequiredService<SharingLogCheckpoints>();
        Assert.Null(await checkpoints.CheckpointAsync(default));
        Assert.Null(await checkpoints.LatestAsync(default));
        // The node still exchanges signals (and logs them); it signs none of it.
        await SendAsync();
        Assert.Null(await checkpoints.CheckpointAsync(default));
        Assert.Single(federation.Logs.Events, e => e.EventId.Name == "CheckpointRefused");
        await federation.StopAsync(politie);
        Assert.Equal(checkpointsBefore, await ReadCheckpointsAsync());

        // chaingw log verify names it too.
        using var node = NodeContext.Load(federation.Configuration("politie"), TimeProvider.System);
        var store = new SqliteNodeStore(path);
        await using (store)
        {
            await store.InitializeAsync(default);
            var audit = await SharingLogAudit.VerifyAsync(node, store, null, default);
            Assert.False(audit.Ok);
        }
    }

    private async Task SendAsync()
    {
        using var sender = federation.Client("politie");
        var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);
    }

    private async Task<IReadOnlyList<string>> ReadCheckpointsAsync()
    {
        var store = new SqliteNodeStore(path);
        await using (store)
        {
            await store.InitializeAsync(default);
            return await store.ReadCheckpointsAsync(default);
        }
    }

    private async Task<LogEntry> ReadEntryAsync(long index)
    {
        var store = new SqliteNodeStore(path);
        await using (store)
        {
            await store.InitializeAsync(default);
            return (await store.ReadLogAsync(index, 1, default))[0];
        }
    }

    private void Execute(string sql, byte[] leaf)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$leaf", leaf);
        command.ExecuteNonQuery();
    }
}
