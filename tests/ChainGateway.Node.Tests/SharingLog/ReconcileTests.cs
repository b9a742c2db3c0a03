using System.Buffers.Binary;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Reconcile;
using ChainGateway.Node.Tests.Infrastructure;
using ChainGateway.Node.Tiles;
using ChainGateway.Storage.Sqlite;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace ChainGateway.Node.Tests.SharingLog;

/// <summary><c>log reconcile</c>: our receipts against the partner's signed log (read over tlog-tiles), and its exchanges with us against ours.</summary>
public sealed class ReconcileTests : IAsyncLifetime
{
    private readonly List<Guid> sent = [];
    private readonly MisbehavingPartner tamper = new();
    private TestFederation federation = null!;
    private ChainNode politie = null!;
    private ChainNode om = null!;

    public async Task InitializeAsync()
    {
        federation = TestFederation.Create();
        politie = await federation.StartAsync("politie");
        om = await federation.StartAsync("om", configureServices: tamper.Install);
        using var sender = federation.Client("politie");
        for (var i = 0; i < 3; i++)
        {
            var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
            Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);
            sent.Add(Guid.Parse(id));
        }
        await om.CheckpointAsync();
    }

    public async Task DisposeAsync() => await federation.DisposeAsync();

    private Task<ReconcileResult> ReconcileAsync(List<ReconcileProgress>? progress = null) =>
        SharingLogReconcile.RunAsync(politie.Context, politie.Store, politie.Services.GetRequiredService<PartnerLogClient>(), "om",
            progress is null ? null : new SynchronousProgress(progress), default);

    [Fact]
    public async Task AgreeingLogs_HaveNoDifferences()
    {
        var progress = new List<ReconcileProgress>();
        var result = await ReconcileAsync(progress);
        Assert.True(result.Ok, string.Join("\n", result.Differences));
        Assert.Equal(3, result.Receipts);
        Assert.True(result.PartnerEntries >= 3, $"{result.PartnerEntries} exchanges");
        Assert.Contains(progress, p => p.Stage == "receipts" && p.Done == 3 && p.Total == 3);
    }

    [Fact]
    public async Task EntryRewrittenInThePartnersLog_IsListed_BothWays()
    {
        // politie witnessed om's log before om rewrote it.
        Assert.True(Assert.Single(await politie.WitnessAsync(), r => r.Partner == "om").Cosigned);
        var path = om.Store.Path;
        await federation.StopAsync(om);
        long index;
        {
            var store = new SqliteNodeStore(path);
            await using (store)
            {
                await store.InitializeAsync(default);
                var received = (await store.ReadLogAsync(1, 1000, default)).Single(e => e.Event == LogEvent.Received && e.MessageId == sent[1]);
                index = received.Index;
                var forged = received with { MessageId = Guid.NewGuid() };
                using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "UPDATE sharing_log SET message_id = $m, leaf_hash = $leaf WHERE idx = $i";
                command.Parameters.AddWithValue("$m", forged.MessageId!.Value.ToByteArray(bigEndian: true));
                command.Parameters.AddWithValue("$leaf", MerkleTree.HashLeaf(LogEntryEncoding.Encode(forged)));
                command.Parameters.AddWithValue("$i", index);
                command.ExecuteNonQuery();
                // And the checkpoints that covered the entry, or om would refuse to sign the rewritten log at all.
                command.CommandText = "DELETE FROM checkpoints WHERE size >= $i";
                command.ExecuteNonQuery();
            }
        }
        om = await federation.StartAsync("om");
        await om.CheckpointAsync();

        var result = await ReconcileAsync();
        Assert.False(result.Ok);
        Assert.Contains(result.Differences, d => d.StartsWith($"receipt for message {sent[1]}: the partner's entry #{index} does not record it", StringComparison.Ordinal));
        Assert.Contains(result.Differences, d => d.StartsWith($"the partner's entry #{index} (Received of message ", StringComparison.Ordinal) && d.EndsWith("has no counterpart in our log", StringComparison.Ordinal));
        Assert.Contains(result.Differences, d => d.Contains("not consistent with the one we cosigned", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Differences, d => d.Contains(sent[0].ToString(), StringComparison.Ordinal) || d.Contains(sent[2].ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task AcceptedReceipt_ForAnEntryThatRecordsARejection_IsListed()
    {
        // om's entry for the second message says it rejected it (RULE_DENIED), while om's receipt says accepted. om's
        // checkpoints go too, so om signs the rewritten log and it is what the partner's tiles show.
        var path = om.Store.Path;
        await federation.StopAsync(om);
        long index;
        {
            var store = new SqliteNodeStore(path);
            await using (store)
            {
                await store.InitializeAsync(default);
                var received = (await store.ReadLogAsync(1, 1000, default)).Single(e => e.Event == LogEvent.Received && e.MessageId == sent[1]);
                index = received.Index;
                var rejected = received with { Event = LogEvent.Rejected, Outcome = "rejected", ReasonCode = "RULE_DENIED" };
                using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = """
                    UPDATE sharing_log SET event = 'Rejected', outcome = 'rejected', reason_code = 'RULE_DENIED', leaf_hash = $leaf WHERE idx = $i;
                    DELETE FROM checkpoints WHERE size >= $i;
                    """;
                command.Parameters.AddWithValue("$leaf", MerkleTree.HashLeaf(LogEntryEncoding.Encode(rejected)));
                command.Parameters.AddWithValue("$i", index);
                command.ExecuteNonQuery();
            }
        }
        om = await federation.StartAsync("om");
        await om.CheckpointAsync();

        var result = await ReconcileAsync();
        Assert.Equal($"receipt for message {sent[1]}: it says Accepted, but the partner's entry #{index} records Rejected", Assert.Single(result.Differences));
    }

    [Fact]
    public async Task ReceiptNamingAnEntryThatHoldsAnotherMessage_IsListed()
    {
        // Our outbox keeps om's receipt for the first message under the id of the second: the entry it names is not that message.
        var receipts = await politie.Store.ReadReceiptsAsync("om", default);
        var first = receipts.Single(r => r.MessageId == sent[0]);
        using (var connection = new SqliteConnection($"Data Source={politie.Store.Path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE outbox SET receipt = $r WHERE message_id = $m";
            command.Parameters.AddWithValue("$r", first.Receipt);
            command.Parameters.AddWithValue("$m", sent[1].ToByteArray(bigEndian: true));
            command.ExecuteNonQuery();
        }
        var result = await ReconcileAsync();
        Assert.Equal($"receipt for message {sent[1]}: not a receipt for this message signed by 'om'", Assert.Single(result.Differences));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    public async Task CheckpointThatContradictsTheCosignedOne_IsADifference_EvenWhenEveryTileFails(int sizeChange)
    {
        var cosigned = Assert.Single(await politie.WitnessAsync(), r => r.Partner == "om");
        Assert.True(cosigned.Cosigned, cosigned.Detail);
        // om's own key signs a smaller tree (or another root at the cosigned size), and om answers every tile with a 500:
        // the two signed notes prove the rollback or fork by themselves, whatever the tiles do.
        var forged = Checkpoint.Sign("chaingateway/om", cosigned.Size + sizeChange, new byte[32], "chaingateway/om", om.Context.Keys.Signing);
        tamper.CheckpointRewrite = _ => forged;
        tamper.Override = ("/log/tile", context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        }
        );

        var result = await ReconcileAsync();
        Assert.False(result.Ok);
        Assert.Equal(
            $"the partner's checkpoint at size {cosigned.Size + sizeChange} is not consistent with the one we cosigned at size {cosigned.Size} (forked or rewritten log)",
            Assert.Single(result.Differences));
        Assert.NotNull(result.Unread);
        Assert.Contains("500", result.Unread, StringComparison.Ordinal);
        Assert.Contains(tamper.Requests, r => r.Path.StartsWith("/log/tile/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EntryBundleOneEntryShort_IsADifference()
    {
        tamper.EntryBundleRewrite = bundle =>
        {
            // Entries are a big-endian uint16 length and that many bytes: the last one goes.
            var (at, last) = (0, 0);
            while (at < bundle.Length)
            {
                last = at;
                at += 2 + BinaryPrimitives.ReadUInt16BigEndian(bundle.AsSpan(at));
            }
            return bundle[..last];
        };

        var result = await ReconcileAsync();
        Assert.False(result.Ok);
        var width = (int)result.PartnerSize;
        Assert.InRange(width, 3, 255);
        Assert.Equal(
            $"the partner serves a malformed tile of the log it signed at size {width}: tile/entries/000.p/{width}: entry bundle: {width - 1} entries, expected {width}",
            Assert.Single(result.Differences));
        Assert.Null(result.Unread);
    }

    [Fact]
    public async Task CheckpointAnswerLongerThanACheckpoint_IsADifference()
    {
        tamper.Override = ("/log/checkpoint", context => MisbehavingPartner.EndlessAsync(context, 1 << 20, announced: null));

        var result = await ReconcileAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal($"'om' serves no checkpoint: the checkpoint: longer than the {PartnerLogClient.MaxCheckpointBytes} bytes it can be", Assert.Single(result.Differences));
    }

    private sealed class SynchronousProgress(List<ReconcileProgress> list) : IProgress<ReconcileProgress>
    {
        public void Report(ReconcileProgress value) => list.Add(value);
    }
}
