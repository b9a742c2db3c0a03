using ChainGateway.Core.Errors;
using ChainGateway.Core.Telemetry;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ChainGateway.Node.Errors;

/// <summary>Turns every <see cref="ChainGatewayException"/> a service throws into its rich gRPC status, and logs it.</summary>
internal sealed class ErrorInterceptor(ILogger<ErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (ChainGatewayException e)
        {
            NodeLog.Refused(logger, context.Method, e.Reason.ToWire(), e.Message);
            ChainGatewayTelemetry.Refusals.Add(1, new KeyValuePair<string, object?>("reason", e.Reason.ToWire()));
            throw ErrorMapping.ToRpcException(e);
        }
        catch (Exception e) when (e is not RpcException and not OperationCanceledException)
        {
            // A store or I/O failure: nothing was acknowledged and nothing half-written, so the caller may retry.
            NodeLog.Failed(logger, context.Method, e);
            throw new RpcException(new Status(StatusCode.Unavailable, "the node could not complete the request; nothing was stored; retry later"));
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (ChainGatewayException e)
        {
            NodeLog.Refused(logger, context.Method, e.Reason.ToWire(), e.Message);
            throw ErrorMapping.ToRpcException(e);
        }
        catch (Exception e) when (e is not RpcException and not OperationCanceledException)
        {
            // As for unary calls: a store or I/O failure while streaming is UNAVAILABLE (retry), not UNKNOWN, and logged.
            // Nothing streamed so far is lost: a Subscribe resumes after the last acknowledged signal.
            NodeLog.Failed(logger, context.Method, e);
            throw new RpcException(new Status(StatusCode.Unavailable, "the node could not go on with the stream; reconnect and resume"));
        }
    }
}
