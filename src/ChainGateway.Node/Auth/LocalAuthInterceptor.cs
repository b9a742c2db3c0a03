using ChainGateway.Core.Errors;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ChainGateway.Node.Auth;

/// <summary>
/// Authenticates every local API call and enforces the role its method needs; the user travels on in
/// <see cref="ServerCallContext.UserState"/>. Refusals get UNAUTHENTICATED or ROLE_REQUIRED with ErrorInfo.
/// </summary>
internal sealed class LocalAuthInterceptor(JwtAuthenticator authenticator, TimeProvider time) : Interceptor
{
    private const string UserKey = "chaingateway.user";

    private static readonly Dictionary<string, string> RequiredRoles = new(StringComparer.Ordinal)
    {
        ["/chaingateway.v1.LocalService/Send"] = LocalUser.Caseworker,
        ["/chaingateway.v1.LocalService/Subscribe"] = LocalUser.Caseworker,
        ["/chaingateway.v1.LocalService/Ack"] = LocalUser.Caseworker,
        ["/chaingateway.v1.LocalService/GetDeliveryStatus"] = LocalUser.Caseworker,
        ["/chaingateway.v1.LocalService/WatchDeliveries"] = LocalUser.Caseworker,
        ["/chaingateway.v1.LocalService/GetOutbox"] = LocalUser.Operator,
        ["/chaingateway.v1.LocalService/GetCaseOverview"] = LocalUser.Caseworker,
        ["/chaingateway.v1.LocalService/RegisterSubjects"] = LocalUser.Caseworker,
        ["/chaingateway.v1.LocalService/RemoveSubjects"] = LocalUser.Caseworker,
        ["/chaingateway.v1.LocalService/Match"] = LocalUser.Caseworker,
        ["/chaingateway.v1.LocalService/GetSubjectSignals"] = LocalUser.Caseworker,
        ["/chaingateway.v1.LocalService/GetMatchIndexStatus"] = LocalUser.Operator,
    };

    public static LocalUser UserOf(ServerCallContext context) =>
        (LocalUser)context.UserState[UserKey];

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AuthenticateAsync(context).ConfigureAwait(false);
        return await continuation(request, context).ConfigureAwait(false);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var user = await AuthenticateAsync(context).ConfigureAwait(false);
        // A stream (Subscribe, WatchDeliveries) stays open for hours: it serves the user only as long as the token it was
        // opened with is valid. Checked as each message goes out, so nothing is sent after the token expired.
        await continuation(request, new UntilExpiry<TResponse>(responseStream, user.Expires, time), context).ConfigureAwait(false);
    }

    private sealed class UntilExpiry<T>(IServerStreamWriter<T> inner, DateTimeOffset? expires, TimeProvider time) : IServerStreamWriter<T>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(T message)
        {
            ThrowIfExpired();
            return inner.WriteAsync(message);
        }

        public Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            ThrowIfExpired();
            return inner.WriteAsync(message, cancellationToken);
        }

        private void ThrowIfExpired()
        {
            if (expires is { } end && time.GetUtcNow() >= end)
            {
                ChainGatewayException.Throw(ReasonCode.Unauthenticated, "the bearer token this stream was opened with has expired: open it again with a new one");
            }
        }
    }

    private async Task<LocalUser> AuthenticateAsync(ServerCallContext context)
    {
        var user = await authenticator.AuthenticateAsync(context.RequestHeaders.GetValue("authorization")).ConfigureAwait(false);
        var role = RequiredRoles.GetValueOrDefault(context.Method, LocalUser.Operator);
        if (!user.Roles.Contains(role))
        {
            ChainGatewayException.Throw(ReasonCode.RoleRequired, $"{context.Method} requires the role '{role}'",
                metadata: new Dictionary<string, string> { ["required_role"] = role });
        }
        context.UserState[UserKey] = user;
        return user;
    }
}
