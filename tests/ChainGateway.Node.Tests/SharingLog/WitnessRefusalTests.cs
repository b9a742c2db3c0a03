using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using ChainGateway.Node.Tiles;
using ChainGateway.Node.Witness;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChainGateway.Node.Tests.SharingLog;

/// <summary>
/// The witness's refusals of what a misbehaving partner serves (BAD_CHECKPOINT, TILES_MISMATCH): politie's real
/// node answers, and a middleware in front of its endpoints alters the checkpoint note or a hash tile on the wire
/// while a test says so. om, the witness, must refuse, raise one alert per distinct checkpoint, cosign nothing, and
/// cosign again once politie serves its log honestly.
/// </summary>
public sealed class WitnessRefusalTests : IAsyncLifetime
{
    private readonly MisbehavingPartner tamper = new();
    private readonly LevelLog omLevels = new();
    private TestFederation federation = null!;
    private ChainNode politie = null!;
    private ChainNode om = null!;
    private string politieNote = null!;
    private string omNote = null!;

    public async Task InitializeAsync()
    {
        federation = TestFederation.Create();
        // No background rounds: every checkpoint and witness round in these tests is one the test asks for, so the
        // served note stays the same between two rounds and nothing is cosigned behind the test's back.
        foreach (var organisation in new[] { "politie", "om" })
        {
            var config = Path.Combine(federation.ConfigDirectory(organisation), "node.json");
            var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
            json["sharingLog"] = new JsonObject { ["witnessSeconds"] = 3600, ["checkpointSeconds"] = 3600 };
            File.WriteAllText(config, json.ToJsonString());
        }
        politie = await federation.StartAsync("politie", configureServices: tamper.Install);
        om = await federation.StartAsync("om", configureServices: services => services.AddSingleton<ILoggerProvider>(omLevels));
        await SendSignalAsync();
        politieNote = (await politie.CheckpointAsync())!;
        omNote = (await om.CheckpointAsync())!;
        Assert.NotNull(politieNote);
        Assert.NotNull(omNote);
    }

    public async Task DisposeAsync() => await federation.DisposeAsync();

    [Fact]
    public async Task AlteredCheckpointBody_IsRefusedAsBadCheckpoint_OnceAndNotSticky()
    {
        // One character of the root-hash line changes: still a well-formed checkpoint, but politie's signature no longer verifies.
        tamper.CheckpointRewrite = AlterRootLine;
        var served = await om.Services.GetRequiredService<PartnerLogClient>().GetCheckpointAsync("politie", default);
        Assert.True(Checkpoint.TryParse(served, out var parsed));
        Assert.Equal(Checkpoint.Parse(politieNote).Size, parsed.Size);
        Assert.NotEqual(Checkpoint.Parse(politieNote).RootHash, parsed.RootHash);
        Assert.Null(Checkpoint.Open(served, "chaingateway/politie", politie.Context.Keys.Signing.PublicKey));

        var refused = await AssertRefusedAsBadCheckpointUntilServedHonestlyAsync();
        // The alert names the size the bad note claims.
        Assert.Equal(parsed.Size, refused.Size);
    }

    [Fact]
    public async Task BadCheckpoint_ServedWithEverNewSignatureLines_IsStillOneAlert()
    {
        // The checkpoint text stays the same (and bad); each round the partner appends another signature line, which no
        // listed key verifies. Without care each round's note would be new to the witness, and so would its alert.
        var round = 0;
        tamper.CheckpointRewrite = note => AlterRootLine(note) + $"\u2014 chaingateway/nobody AAAAA{Interlocked.Increment(ref round):D3}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n";
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(WitnessRefusal.BadCheckpoint, (await WitnessPolitieAsync()).Refusal);
        }
        Assert.Equal(3, round);
        Assert.Single(await om.Store.ReadLogAsync(1, 10_000, default), e => e.Event == LogEvent.WitnessRefused);
        Assert.Single(omLevels.Events, e => e.Name == "WitnessRefused");
    }

    [Fact]
    public async Task BadCheckpoint_AlertedBeforeTheWitnessRestarted_IsNotAlertedAgain_ButANewOneIs()
    {
        tamper.CheckpointRewrite = AlterRootLine;
        Assert.Equal(WitnessRefusal.BadCheckpoint, (await WitnessPolitieAsync()).Refusal);
        // The alert names the refused note: the SHA-256 of its signed text.
        var served = await om.Services.GetRequiredService<PartnerLogClient>().GetCheckpointAsync("politie", default);
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(SignedNote.Parse(served).Body)));
        var alert = Assert.Single(await om.Store.ReadLogAsync(1, 10_000, default), e => e.Event == LogEvent.WitnessRefused);
        Assert.EndsWith("; checkpoint sha256:" + digest, alert.Detail, StringComparison.Ordinal);

        await federation.StopAsync(om);
        om = await federation.StartAsync("om", configureServices: services => services.AddSingleton<ILoggerProvider>(omLevels));
        Assert.Equal(WitnessRefusal.BadCheckpoint, (await WitnessPolitieAsync()).Refusal);
        Assert.Single(await om.Store.ReadLogAsync(1, 10_000, default), e => e.Event == LogEvent.WitnessRefused);
        Assert.Single(omLevels.Events, e => e.Name == "WitnessRefused");

        // Another bad checkpoint after the restart is an alert of its own.
        tamper.CheckpointRewrite = _ => omNote;
        Assert.Equal(WitnessRefusal.BadCheckpoint, (await WitnessPolitieAsync()).Refusal);
        Assert.Equal(2, (await om.Store.ReadLogAsync(1, 10_000, default)).Count(e => e.Event == LogEvent.WitnessRefused));
        Assert.Equal(2, omLevels.Events.Count(e => e.Name == "WitnessRefused"));
    }

    [Theory]
    [InlineData(2 * 1024, "the checkpoint note is ")]
    [InlineData(1024 * 1024, "the checkpoint: longer than the 65536 bytes it can be")]
    public async Task CheckpointPaddedWithLongSignatureLines_IsRefusedAsBadCheckpoint_AndNothingStored(int lineLength, string detail)
    {
        // politie's genuine checkpoint with 20 signature lines of unknown keys appended. signed-note ignores such lines, of
        // any length, so the note still verifies; without a bound the witness stored it whole, every round. 2 KiB lines
        // (about 40 KiB) pass the 64 KiB read bound and meet the note bound; 1 MiB lines are not even read.
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(politieNote) < 512, politieNote);
        var blob = Convert.ToBase64String(new byte[lineLength / 4 * 3]);
        var padding = string.Concat(Enumerable.Range(0, 20).Select(i => $"\u2014 chaingateway/nobody{i} {blob}\n"));
        Assert.NotNull(Checkpoint.Open(politieNote + padding, "chaingateway/politie", politie.Context.Keys.Signing.PublicKey));
        tamper.CheckpointRewrite = note => note + padding;

        var refused = await WitnessPolitieAsync();
        Assert.Equal(WitnessRefusal.BadCheckpoint, refused.Refusal);
        Assert.StartsWith(detail, refused.Detail, StringComparison.Ordinal);
        await AssertOneAlertAsync("BAD_CHECKPOINT", WitnessRefusal.BadCheckpoint, witnessedSize: null);

        // Served as signed, the same checkpoint is cosigned, and what is stored is the note as politie signed it.
        tamper.CheckpointRewrite = null;
        await AssertCosignsAgainAsync(politieNote);
        Assert.Equal(politieNote, (await om.Store.ReadWitnessedAsync("politie", default))!.Note);
    }

    [Fact]
    public async Task AnotherOrganisationsCheckpoint_ServedByThePartner_IsRefusedAsBadCheckpoint()
    {
        // om's own genuine checkpoint, signed with om's real key, served from politie's endpoint.
        Assert.NotNull(Checkpoint.Open(omNote, "chaingateway/om", om.Context.Keys.Signing.PublicKey));
        tamper.CheckpointRewrite = _ => omNote;

        await AssertRefusedAsBadCheckpointUntilServedHonestlyAsync();
    }

    [Fact]
    public async Task CheckpointSignedWithThePartnersKey_ForAnotherOrigin_IsRefusedAsBadCheckpoint()
    {
        // politie's real key signs its real size and root, but under om's origin: the signature verifies, the origin is wrong.
        var honest = Checkpoint.Parse(politieNote);
        var forged = Checkpoint.Sign("chaingateway/om", honest.Size, honest.RootHash, "chaingateway/politie", politie.Context.Keys.Signing);
        var opened = Checkpoint.Open(forged, "chaingateway/politie", politie.Context.Keys.Signing.PublicKey);
        Assert.NotNull(opened);
        Assert.Equal("chaingateway/om", opened.Origin);
        tamper.CheckpointRewrite = _ => forged;

        await AssertRefusedAsBadCheckpointUntilServedHonestlyAsync();
    }

    [Fact]
    public async Task FlippedByteInAHashTile_IsRefusedAsTilesMismatch_AndTheEarlierCosignatureStands()
    {
        var first = await WitnessPolitieAsync();
        Assert.True(first.Cosigned, first.Detail);
        await SendSignalAsync();
        var grown = (await politie.CheckpointAsync())!;
        Assert.NotNull(grown);
        Assert.True(Checkpoint.Parse(grown).Size > first.Size);

        // The checkpoint is politie's genuine one; the level-0 tile it is checked against has one bit of its first hash flipped.
        tamper.HashTileRewrite = tile =>
        {
            var flipped = tile.ToArray();
            flipped[0] ^= 0x01;
            return flipped;
        };
        var refused = await WitnessPolitieAsync();
        Assert.Equal(WitnessRefusal.TilesMismatch, refused.Refusal);
        Assert.Equal(Checkpoint.Parse(grown).Size, refused.Size);
        Assert.StartsWith("the hash tiles give root ", refused.Detail, StringComparison.Ordinal);
        Assert.True(tamper.TilesAltered > 0);
        await AssertOneAlertAsync("TILES_MISMATCH", WitnessRefusal.TilesMismatch, witnessedSize: first.Size);

        tamper.HashTileRewrite = null;
        await AssertCosignsAgainAsync(grown);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    public async Task TruncatedHashTile_IsRefusedAsTilesMismatch(int cut)
    {
        // 1: a length that is no multiple of 32; 32: one hash fewer than the tree of the signed size needs.
        var tileLengths = new ConcurrentQueue<int>();
        tamper.HashTileRewrite = tile =>
        {
            tileLengths.Enqueue(tile.Length);
            return tile[..^cut];
        };

        var refused = await WitnessPolitieAsync();
        Assert.Equal(WitnessRefusal.TilesMismatch, refused.Refusal);
        Assert.Equal(Checkpoint.Parse(politieNote).Size, refused.Size);
        // TileHashReader's InvalidDataException, turned into TILES_MISMATCH by the witness.
        var length = Assert.Single(tileLengths.Distinct());
        Assert.True(length > cut);
        Assert.Equal($"tile 0/0: {length - cut} bytes, expected {length}", refused.Detail);
        await AssertOneAlertAsync("TILES_MISMATCH", WitnessRefusal.TilesMismatch, witnessedSize: null);

        tamper.HashTileRewrite = null;
        await AssertCosignsAgainAsync(politieNote);
    }

    [Fact]
    public async Task HashTileThatNeverEnds_IsRefusedAsTilesMismatch_Promptly()
    {
        // politie answers its level-0 hash tile with a mebibyte, far more than the 32 bytes per hash its path names, and
        // then never ends the body: refused once the bound is passed, not after the client's 30 s timeout.
        var tile = new TilePath(0, 0, TilePath.WidthAt(0, 0, Checkpoint.Parse(politieNote).Size), IsEntries: false);
        tamper.Override = ("/log/tile/0", context => MisbehavingPartner.EndlessAsync(context, 1 << 20, announced: null));

        var refused = await WitnessPolitieAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WitnessRefusal.TilesMismatch, refused.Refusal);
        Assert.Equal($"{tile}: longer than the {32 * tile.Width} bytes it can be", refused.Detail);
        await AssertOneAlertAsync("TILES_MISMATCH", WitnessRefusal.TilesMismatch, witnessedSize: null);

        tamper.Override = null;
        await AssertCosignsAgainAsync(politieNote);
    }

    [Fact]
    public async Task CheckpointAnswerThatNeverEnds_IsRefusedAsBadCheckpoint_Promptly()
    {
        tamper.Override = ("/log/checkpoint", context => MisbehavingPartner.EndlessAsync(context, 1 << 20, announced: null));

        var refused = await WitnessPolitieAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WitnessRefusal.BadCheckpoint, refused.Refusal);
        Assert.Equal((0L, $"the checkpoint: longer than the {PartnerLogClient.MaxCheckpointBytes} bytes it can be"), (refused.Size, refused.Detail));
        await AssertOneAlertAsync("BAD_CHECKPOINT", WitnessRefusal.BadCheckpoint, witnessedSize: null);

        tamper.Override = null;
        await AssertCosignsAgainAsync(politieNote);
    }

    [Fact]
    public async Task SignedCheckpointWhoseTilesAreNotServed_IsRefusedAsTilesMismatch_WhileA5xxIsAnOutage()
    {
        // A server error is an outage: nothing refused, nothing cosigned, tried again next round.
        tamper.HashTileStatus = StatusCodes.Status503ServiceUnavailable;
        await Assert.ThrowsAsync<HttpRequestException>(WitnessPolitieAsync);
        Assert.DoesNotContain(await om.Store.ReadLogAsync(1, 10_000, default), e => e.Event == LogEvent.WitnessRefused);
        await AssertNothingNewCosignedAsync(null);

        // Not found: politie signed a tree it does not show.
        tamper.HashTileStatus = StatusCodes.Status404NotFound;
        var refused = await WitnessPolitieAsync();
        Assert.Equal(WitnessRefusal.TilesMismatch, refused.Refusal);
        Assert.Contains("does not serve its hash tiles (404", refused.Detail, StringComparison.Ordinal);
        await AssertOneAlertAsync("TILES_MISMATCH", WitnessRefusal.TilesMismatch, witnessedSize: null);

        tamper.HashTileStatus = null;
        await AssertCosignsAgainAsync(politieNote);
    }

    [Fact]
    public async Task Reconcile_WithAPartnerThatDoesNotServeTheTilesOfItsSignedLog_IsADifference_WhileA5xxIsAFailureToRead()
    {
        // om cosigned politie's log; politie's log grows, so the proof that it extends the cosigned one needs its tiles.
        Assert.True((await WitnessPolitieAsync()).Cosigned);
        await SendSignalAsync();
        Assert.NotNull(await politie.CheckpointAsync());
        Task<Reconcile.ReconcileResult> ReconcileAsync() => Reconcile.SharingLogReconcile.RunAsync(om.Context, om.Store,
            om.Services.GetRequiredService<PartnerLogClient>(), "politie", null, default);

        tamper.HashTileStatus = StatusCodes.Status503ServiceUnavailable;
        await Assert.ThrowsAsync<HttpRequestException>(ReconcileAsync);

        tamper.HashTileStatus = StatusCodes.Status404NotFound;
        var result = await ReconcileAsync();
        Assert.Contains("does not serve the tiles of the log it signed", Assert.Single(result.Differences), StringComparison.Ordinal);

        tamper.HashTileStatus = null;
        var honest = await ReconcileAsync();
        Assert.True(honest.Ok, string.Join("\n", honest.Differences));
    }

    [Theory]
    [InlineData(0, WitnessRefusal.LogForked, "LOG_FORKED")]
    [InlineData(-1, WitnessRefusal.RolledBack, "ROLLED_BACK")]
    public async Task CheckpointThatContradictsTheCosignedOne_IsRefused_EvenWhenTheTilesFail(int sizeChange, WitnessRefusal refusal, string code)
    {
        var cosigned = await WitnessPolitieAsync();
        Assert.True(cosigned.Cosigned, cosigned.Detail);

        // politie's own key signs another root at the same (or a smaller) size, and politie answers every tile with a 503:
        // the two signed notes prove the fork by themselves, so the 503 must not make it an outage without an alert.
        var forged = Checkpoint.Sign("chaingateway/politie", cosigned.Size + sizeChange, new byte[32], "chaingateway/politie", politie.Context.Keys.Signing);
        tamper.CheckpointRewrite = _ => forged;
        tamper.HashTileStatus = StatusCodes.Status503ServiceUnavailable;

        var refused = await WitnessPolitieAsync();
        Assert.Equal(refusal, refused.Refusal);
        Assert.Equal(cosigned.Size + sizeChange, refused.Size);
        await AssertOneAlertAsync(code, refusal, witnessedSize: cosigned.Size);
    }

    /// <summary>The checkpoint served now is refused as BAD_CHECKPOINT with one alert; served honestly again, it is cosigned.</summary>
    private async Task<WitnessResult> AssertRefusedAsBadCheckpointUntilServedHonestlyAsync()
    {
        var refused = await WitnessPolitieAsync();
        Assert.Equal(WitnessRefusal.BadCheckpoint, refused.Refusal);
        await AssertOneAlertAsync("BAD_CHECKPOINT", WitnessRefusal.BadCheckpoint, witnessedSize: null);

        tamper.CheckpointRewrite = null;
        await AssertCosignsAgainAsync(politieNote);
        return refused;
    }

    private async Task<WitnessResult> WitnessPolitieAsync()
    {
        var result = await om.Services.GetRequiredService<SharingLogWitness>().WitnessAsync("politie", default);
        Assert.Equal("politie", result.Partner);
        return result;
    }

    private async Task SendSignalAsync()
    {
        using var sender = federation.Client("politie");
        var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);
    }

    /// <summary>
    /// One refusal, raised once: an error event, one WitnessRefused entry in om's sharing log (shown to the operator),
    /// nothing more stored as witnessed than <paramref name="witnessedSize"/>, no new cosignature at politie; and a
    /// second round against the same served note refuses again without a second alert.
    /// </summary>
    private async Task AssertOneAlertAsync(string code, WitnessRefusal refusal, long? witnessedSize)
    {
        var error = Assert.Single(omLevels.Events, e => e.Name == "WitnessRefused");
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains(federation.Logs.Events, e => e.EventId.Name == "WitnessRefused" && e.Message.Contains(code, StringComparison.Ordinal)
            && e.Message.Contains("politie", StringComparison.Ordinal));
        var alert = Assert.Single(await om.Store.ReadLogAsync(1, 10_000, default), e => e.Event == LogEvent.WitnessRefused);
        Assert.Equal(("politie", code, "refused"), (alert.Partner, alert.ReasonCode, alert.Outcome));
        using (var operatorClient = federation.Client("om", "operator"))
        {
            var status = await operatorClient.Api.GetOutboxAsync(new OutboxRequest(), operatorClient.Headers);
            var shown = Assert.Single(status.Alerts);
            Assert.Equal(("politie", code, (ulong)alert.Index), (shown.Partner, shown.ReasonCode, shown.LogIndex));
        }
        await AssertNothingNewCosignedAsync(witnessedSize);

        var again = await WitnessPolitieAsync();
        Assert.Equal(refusal, again.Refusal);
        Assert.Single(await om.Store.ReadLogAsync(1, 10_000, default), e => e.Event == LogEvent.WitnessRefused);
        Assert.Single(omLevels.Events, e => e.Name == "WitnessRefused");
        await AssertNothingNewCosignedAsync(witnessedSize);
    }

    private async Task AssertNothingNewCosignedAsync(long? witnessedSize)
    {
        Assert.Equal(witnessedSize, (await om.Store.ReadWitnessedAsync("politie", default))?.Size);
        var cosignatures = await politie.Store.ReadCosignaturesAsync(null, default);
        (long Size, string Witness)[] expected = witnessedSize is null ? [] : [(witnessedSize.Value, "om")];
        Assert.Equal(expected, cosignatures.Select(c => (c.Size, c.Witness)));
    }

    /// <summary>The refusal is not sticky: served honestly again, politie's <paramref name="note"/> is cosigned, with no further alert.</summary>
    private async Task AssertCosignsAgainAsync(string note)
    {
        var size = Checkpoint.Parse(note).Size;
        var cosigned = await WitnessPolitieAsync();
        Assert.True(cosigned.Cosigned, cosigned.Detail);
        Assert.Equal(size, cosigned.Size);
        var witnessed = await om.Store.ReadWitnessedAsync("politie", default);
        Assert.NotNull(witnessed);
        Assert.Equal(size, witnessed.Size);
        Assert.Equal(Checkpoint.Parse(note).RootHash, witnessed.Root);
        Assert.Contains(await politie.Store.ReadCosignaturesAsync(size, default), c => c.Witness == "om");
        Assert.Single(await om.Store.ReadLogAsync(1, 10_000, default), e => e.Event == LogEvent.WitnessRefused);
    }

    // The first base64 character of the root-hash line (line 3 of the note) is swapped for another: still canonical, 32 bytes.
    private static string AlterRootLine(string note)
    {
        var lines = note.Split('\n');
        lines[2] = (lines[2][0] == 'A' ? 'B' : 'A') + lines[2][1..];
        return string.Join('\n', lines);
    }

    /// <summary>The level and event name of everything om logs (CapturedLogs keeps no level).</summary>
    private sealed class LevelLog : ILoggerProvider
    {
        public ConcurrentQueue<(string? Name, LogLevel Level)> Events { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(LevelLog owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    owner.Events.Enqueue((eventId.Name, logLevel));
                }
            }
        }
    }
}
