using System.Net;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;
using ChainGateway.Node.Tiles;

namespace ChainGateway.Node.Tests.SharingLog;

/// <summary>POST /log/add-cosignature bounds what a partner can make the node read, with or without a Content-Length.</summary>
public sealed class CosignatureIntakeTests
{
    /// <summary>A body of <paramref name="size"/> bytes whose length is not announced (no Content-Length: HTTP/2 DATA frames only).</summary>
    private sealed class UnannouncedContent(int size) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[8192];
            Array.Fill(chunk, (byte)'a');
            for (var written = 0; written < size; written += chunk.Length)
            {
                await stream.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, size - written)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task BodyBeyondTheLimit_WithoutAContentLength_IsRefused413_AndTheNodeServesOn()
    {
        await using var federation = TestFederation.Create();
        var politie = await federation.StartAsync("politie");
        // A checkpoint to cosign exists (signed now, or by the node's own start-up round already).
        await politie.CheckpointAsync();
        using var om = NodeContext.Load(federation.Configuration("om"), TimeProvider.System);
        using var client = PartnerLogClient.Create(politie.Context.Configuration.Peer.Listen, "politie", om.TlsCertificate, om.FederationCa);

        using var response = await client.PostAsync(new Uri("log/add-cosignature", UriKind.Relative), new UnannouncedContent(4 * 1024 * 1024));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains(federation.Logs.Events, e => e.EventId.Name == "CosignatureRefused" && e.Message.Contains("larger than", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("log/checkpoint", UriKind.Relative))).StatusCode);
    }
}
