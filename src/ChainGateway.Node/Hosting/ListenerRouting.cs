namespace ChainGateway.Node.Hosting;

/// <summary>
/// Binds endpoints to the listener a request arrived on. The peer API answers only on the mutual-TLS peer port and the
/// local API only on the local port: decided by the connection's local port, which the client cannot choose, not by the
/// request's Host (:authority) header, which it can. Routing by the Host header let a client without a certificate
/// reach the peer service through the local port (and write to the append-only sharing log), and a partner reach the
/// local services through the peer port. A request for an endpoint of the other listener is answered 404, as for a path
/// that does not exist there (a gRPC client sees UNIMPLEMENTED).
/// </summary>
internal static class ListenerRouting
{
    /// <summary>The endpoint answers only on connections accepted by the listener on <paramref name="port"/>.</summary>
    public static TBuilder OnListener<TBuilder>(this TBuilder builder, int port)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ListenerPort(port));

    /// <summary>Routing, then the check of each matched endpoint's listener; endpoints run after it.</summary>
    public static void UseListenerRouting(this WebApplication app)
    {
        app.UseRouting();
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<ListenerPort>() is { } listener && listener.Port != context.Connection.LocalPort)
            {
                context.SetEndpoint(null);
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return next(context);
        });
    }

    private sealed record ListenerPort(int Port);
}
