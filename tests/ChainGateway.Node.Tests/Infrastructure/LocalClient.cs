using ChainGateway.Contracts.V1;
using ChainGateway.Node.Auth;
using ChainGateway.Node.Configuration;
using Grpc.Core;
using Grpc.Net.Client;

namespace ChainGateway.Node.Tests.Infrastructure;

/// <summary>A case system's client of a node's local API, with a token from the demo identity provider.</summary>
public sealed class LocalClient : IDisposable
{
    private readonly GrpcChannel channel;

    public LocalClient(NodeConfiguration configuration, IEnumerable<string> roles, string? token = null)
    {
        Token = token ?? DevTokens.Mint(configuration, "test-user", roles, TimeSpan.FromMinutes(30), TimeProvider.System);
        channel = GrpcChannel.ForAddress("http://" + configuration.Local.Listen);
        Api = new LocalService.LocalServiceClient(channel);
        Channel = channel;
    }

    public string Token { get; }

    public LocalService.LocalServiceClient Api { get; }

    public GrpcChannel Channel { get; }

    public Metadata Headers => new() { { "authorization", "Bearer " + Token } };

    public void Dispose() => channel.Dispose();

    public async Task<SendResponse> SendAsync(string purpose, Signal signal, params string[] recipients)
    {
        var request = new SendRequest { Purpose = purpose, Signal = signal };
        request.Recipients.AddRange(recipients);
        return await Api.SendAsync(request, Headers).ConfigureAwait(false);
    }

    /// <summary>Reads the Subscribe stream until a signal with <paramref name="messageId"/> arrives (or the timeout).</summary>
    public async Task<ReceivedSignal> ReceiveAsync(string messageId, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        using var call = Api.Subscribe(new SubscribeRequest(), Headers, cancellationToken: cancel.Token);
        await foreach (var signal in call.ResponseStream.ReadAllAsync(cancel.Token).ConfigureAwait(false))
        {
            if (signal.MessageId == messageId)
            {
                return signal;
            }
        }
        throw new InvalidOperationException("the stream ended");
    }

    /// <summary>Asks the sender's node to answer once the message is delivered or dead-lettered (server-side wait).</summary>
    public async Task<DeliveryStatusResponse> WaitForFinalStateAsync(string messageId, uint seconds = 30) =>
        await Api.GetDeliveryStatusAsync(new DeliveryStatusRequest { MessageId = messageId, WaitSeconds = seconds }, Headers).ConfigureAwait(false);
}
