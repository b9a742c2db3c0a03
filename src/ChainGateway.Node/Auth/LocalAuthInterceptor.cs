using ChainGateway.Core.Errors;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ChainGateway.Node.Auth;

/// <summary>
/// Authenticates every local API call and enforces the role its method needs; the user travels on in
/// <see cref="ServerCallContext.UserState"/>. Refusals get UNAUTHENTICATED or ROLE_REQUIRED with ErrorInfo.
/// </summary>
internal sealed class LocalAuthInterceptor(JwtAuthenticator authenticator) : Interceptor
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
        await AuthenticateAsync(context).ConfigureAwait(false);
        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    private async Task AuthenticateAsync(ServerCallContext context)
    {
        var user = await authenticator.AuthenticateAsync(context.RequestHeaders.GetValue("authorization")).ConfigureAwait(false);
        var role = RequiredRoles.GetValueOrDefault(context.Method, LocalUser.Operator);
        if (!user.Roles.Contains(role))
        {
            ChainGatewayException.Throw(ReasonCode.RoleRequired, $"{context.Method} requires the role '{role}'",
                metadata: new Dictionary<string, string> { ["required_role"] = role });
        }
        context.UserState[UserKey] = user;
    }
}
