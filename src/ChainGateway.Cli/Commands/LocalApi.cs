using ChainGateway.Contracts.V1;
using ChainGateway.Node.Auth;
using ChainGateway.Node.Configuration;
using Grpc.Core;
using Grpc.Net.Client;

namespace ChainGateway.Cli.Commands;

/// <summary>A client of a node's local API with a development token.</summary>
internal sealed class LocalApi : IDisposable
{
    private readonly GrpcChannel channel;

    public LocalApi(NodeConfiguration configuration, string role = LocalUser.Caseworker, string subject = "demo-user")
    {
        var token = DevTokens.Mint(configuration, subject, [role], TimeSpan.FromHours(8), TimeProvider.System);
        channel = GrpcChannel.ForAddress("http://" + configuration.Local.Listen);
        Headers = new Metadata { { "authorization", "Bearer " + token } };
        Client = new LocalService.LocalServiceClient(channel);
        Channel = channel;
        Configuration = configuration;
    }

    public NodeConfiguration Configuration { get; }

    public LocalService.LocalServiceClient Client { get; }

    public GrpcChannel Channel { get; }

    public Metadata Headers { get; }

    public void Dispose() => channel.Dispose();
}
