using ChainGateway.Contracts.V1;
using ChainGateway.Node.Tests.Infrastructure;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;

namespace ChainGateway.Node.Tests.Local;

/// <summary>A failure inside a server stream (the store, I/O) reaches the case system as UNAVAILABLE and is logged, as for unary calls.</summary>
public sealed class StreamFailureTests
{
    [Fact]
    public async Task StoreFailureWhileStreaming_IsUnavailable_AndLogged()
    {
        await using var federation = TestFederation.Create();
        await federation.StartAsync("om", configureServices: services =>
            services.Configure<GrpcServiceOptions>(options => options.Interceptors.Add<FailingStreamInterceptor>()));
        using var client = federation.Client("om");
        using var call = client.Api.Subscribe(new SubscribeRequest(), client.Headers);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.DoesNotContain("disk", error.Status.Detail, StringComparison.Ordinal);
        await federation.Logs.WaitForAsync(e => e.EventId.Name == "Failed" && e.Message.Contains("Subscribe", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }

    /// <summary>Inside the node's error interceptor: the stream fails as a store read would.</summary>
    private sealed class FailingStreamInterceptor : Interceptor
    {
        public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
            ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
            throw new IOException("disk I/O error (simulated)");
    }
}
