using System.Text.Json.Nodes;
using ChainGateway.Contracts.V1;
using ChainGateway.Node.Reconcile;
using ChainGateway.Node.Tests.Infrastructure;
using ChainGateway.Node.Tiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ChainGateway.Node.Tests.SharingLog;

/// <summary>
/// A partner signs its log at an interval: a receipt for one of the latest exchanges names an entry its signed log does
/// not hold yet. Recent, that is pending (checked next run), not a difference; long after, it is one.
/// </summary>
public sealed class ReconcilePendingTests
{
    [Fact]
    public async Task ReceiptBeyondThePartnersSignedLog_IsPendingWhileRecent_AgreesOnceSigned_AndIsADifferenceWhenOld()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create();
        // om signs only when told to here (its interval an hour), so what it has signed is what the test says.
        federation.EditNodeConfiguration("om", json => json["sharingLog"] = new JsonObject { ["checkpointSeconds"] = 3600 });
        var om = await federation.StartAsync("om");
        var politie = await federation.StartAsync("politie", clock);
        using var sender = federation.Client("politie", clock);
        async Task<string> DeliveredAsync()
        {
            var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
            Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);
            return id;
        }
        Task<ReconcileResult> ReconcileAsync() => SharingLogReconcile.RunAsync(politie.Context, politie.Store,
            politie.Services.GetRequiredService<PartnerLogClient>(), "om", null, default);

        await DeliveredAsync();
        await om.CheckpointAsync();
        var late = await DeliveredAsync();

        var before = await ReconcileAsync();
        Assert.True(before.Ok, string.Join("\n", before.Differences));
        Assert.Equal((2, 1), (before.Receipts, before.Pending));

        // Twenty minutes on, with om still not having signed it: om handed out a receipt its signed log does not show.
        clock.Advance(TimeSpan.FromMinutes(20));
        var old = await ReconcileAsync();
        Assert.Contains(old.Differences, d => d.Contains(late, StringComparison.Ordinal) && d.Contains("outside its signed log", StringComparison.Ordinal));
        Assert.Equal(0, old.Pending);

        await om.CheckpointAsync();
        var after = await ReconcileAsync();
        Assert.True(after.Ok, string.Join("\n", after.Differences));
        Assert.Equal((2, 0), (after.Receipts, after.Pending));
    }

    [Fact]
    public async Task ReceiptDatedAheadOfTheClockSkew_IsNeverPending_ItsMissingEntryIsADifference()
    {
        // om's clock runs two days ahead: its receipts say they were received the day after tomorrow. Recent by that date
        // they would stay pending for two days; they are a difference at once.
        var omClock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(2));
        await using var federation = TestFederation.Create();
        federation.EditNodeConfiguration("om", json => json["sharingLog"] = new JsonObject { ["checkpointSeconds"] = 3600 });
        var om = await federation.StartAsync("om", omClock);
        var politie = await federation.StartAsync("politie");
        using var sender = federation.Client("politie");
        await om.CheckpointAsync();
        var id = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        Assert.Equal(DeliveryState.Delivered, (await sender.WaitForFinalStateAsync(id)).State);

        var result = await SharingLogReconcile.RunAsync(politie.Context, politie.Store, politie.Services.GetRequiredService<PartnerLogClient>(), "om", null, default);

        Assert.Equal(0, result.Pending);
        Assert.Contains(result.Differences, d => d.Contains(id, StringComparison.Ordinal) && d.Contains("outside its signed log", StringComparison.Ordinal));
    }
}
