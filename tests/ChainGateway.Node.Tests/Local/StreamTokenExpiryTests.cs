using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Node.Errors;
using ChainGateway.Node.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace ChainGateway.Node.Tests.Local;

/// <summary>An open Subscribe stream serves its user as long as the token it was opened with: nothing goes out after that.</summary>
public sealed class StreamTokenExpiryTests
{
    [Fact]
    public async Task SubscribeStream_EndsUnauthenticated_InsteadOfDeliveringAfterItsTokenExpired()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var federation = TestFederation.Create("politie", "om");
        var om = await federation.StartAsync("om", clock);
        await federation.StartAsync("politie", clock);
        using var sender = federation.Client("politie", clock);
        var token = Auth.DevTokens.Mint(federation.Configuration("om"), "case-system", ["caseworker"], TimeSpan.FromMinutes(10), clock);
        using var receiver = new LocalClient(om.Context.Configuration, ["caseworker"], token);
        using var stream = receiver.Api.Subscribe(new SubscribeRequest(), receiver.Headers);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var first = (await sender.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        Assert.True(await stream.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal(first, stream.ResponseStream.Current.MessageId);

        // Eleven minutes on, the token has expired; the next signal arrives, but not on this stream.
        clock.Advance(TimeSpan.FromMinutes(11));
        using var later = federation.Client("politie", clock);
        var second = (await later.SendAsync("risk-assessment", Signals.StalkingReported(), "om")).Envelopes[0].MessageId;
        Assert.Equal(DeliveryState.Delivered, (await later.WaitForFinalStateAsync(second)).State);

        var error = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal(ReasonCode.Unauthenticated, ErrorMapping.ReasonOf(error));
    }
}
