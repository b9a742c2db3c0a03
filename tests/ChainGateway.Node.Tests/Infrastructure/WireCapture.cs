using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;

namespace ChainGateway.Node.Tests.Infrastructure;

/// <summary>
/// Records every request and response message a node's gRPC services handle, as the exact protobuf bytes that
/// crossed the wire (after TLS): for tests that check what leaves or reaches a node.
/// </summary>
public sealed class WireCapture
{
    public ConcurrentQueue<(string Method, byte[] Bytes)> Messages { get; } = new();

    public Action<IServiceCollection> Install => services =>
        services.Configure<GrpcServiceOptions>(options => options.Interceptors.Add<WireCaptureInterceptor>(this));

    private void Record(string method, object? message)
    {
        if (message is IMessage protobuf)
        {
            Messages.Enqueue((method, protobuf.ToByteArray()));
        }
    }

    private sealed class WireCaptureInterceptor(WireCapture capture) : Interceptor
    {
        public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
            UnaryServerMethod<TRequest, TResponse> continuation)
        {
            capture.Record(context.Method, request);
            var response = await continuation(request, context).ConfigureAwait(false);
            capture.Record(context.Method, response);
            return response;
        }
    }
}
