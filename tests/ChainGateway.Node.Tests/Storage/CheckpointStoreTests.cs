using ChainGateway.Core.Delivery;

namespace ChainGateway.Node.Tests.Storage;

/// <summary>One checkpoint per size: signing a size again gives back what is stored; another root at a stored size is an error.</summary>
public sealed class CheckpointStoreTests : TempStore
{
    private static readonly DateTimeOffset At = DateTimeOffset.UnixEpoch;

    [Fact]
    public async Task TheSameRootAgain_GivesTheNoteStoredBefore()
    {
        var root = new byte[32];
        Assert.Equal("first", await Store.AppendCheckpointAsync(5, root, "first", At, default));
        Assert.Equal("first", await Store.AppendCheckpointAsync(5, root.ToArray(), "signed again", At, default));
        Assert.Equal("first", await Store.ReadLatestCheckpointAsync(default));
    }

    [Fact]
    public async Task AnotherRootAtAStoredSize_IsRefused_AndTheStoredOneStays()
    {
        await Store.AppendCheckpointAsync(5, new byte[32], "first", At, default);
        var other = new byte[32];
        other[0] = 1;
        var e = await Assert.ThrowsAsync<CheckpointConflictException>(() => Store.AppendCheckpointAsync(5, other, "contradicting", At, default));
        Assert.Contains("size 5", e.Message, StringComparison.Ordinal);
        Assert.Equal(["first"], await Store.ReadCheckpointsAsync(default));
    }

    [Fact]
    public async Task TheLatestCheckpoint_IsTheLargestSize()
    {
        Assert.Null(await Store.ReadLatestCheckpointAsync(default));
        await Store.AppendCheckpointAsync(9, new byte[32], "nine", At, default);
        await Store.AppendCheckpointAsync(3, new byte[32], "three", At, default);
        Assert.Equal("nine", await Store.ReadLatestCheckpointAsync(default));
    }
}
