using ChainGateway.Cli.Commands;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.Federation;
using ChainGateway.Core.Subjects;
using ChainGateway.Node.Auth;
using ChainGateway.Node.Configuration;
using ChainGateway.Node.Delivery;
using ChainGateway.Node.Errors;
using ChainGateway.Node.Hosting;
using Google.Protobuf;
using Grpc.Core;
using Spectre.Console;

namespace ChainGateway.Cli.Demo;

/// <summary>The demo's misbehaving politie node: envelopes built by hand and delivered straight to reclassering's peer endpoint.</summary>
internal sealed partial class DemoScript
{
    /// <summary>Acts as a misbehaving politie node: builds an envelope by hand and delivers it straight to reclassering's peer endpoint.</summary>
    private async Task<string> DeliverHandBuiltAsync(bool tamper, bool withDisallowedField)
    {
        using var politie = NodeContext.Load(NodeConfiguration.Load(Path.Combine(certsDirectory, "politie")), TimeProvider.System);
        var envelope = HandBuilt(politie, trained: withDisallowedField);
        if (tamper)
        {
            var ciphertext = envelope.Ciphertext.ToByteArray();
            ciphertext[ciphertext.Length / 2] ^= 0x01;
            envelope.Ciphertext = ByteString.CopyFrom(ciphertext);
        }
        return await DeliverAsync(politie, envelope).ConfigureAwait(false);
    }

    private async Task<string> DeliverTwiceAsync()
    {
        using var politie = NodeContext.Load(NodeConfiguration.Load(Path.Combine(certsDirectory, "politie")), TimeProvider.System);
        var envelope = HandBuilt(politie, trained: false);
        using var channel = PeerClients.CreateChannel(Endpoint(politie, "reclassering"), "reclassering", politie);
        var client = new PeerService.PeerServiceClient(channel);
        var first = await client.DeliverAsync(envelope).ConfigureAwait(false);
        var second = await client.DeliverAsync(envelope).ConfigureAwait(false);
        return first.Equals(second) ? "original receipt (byte-identical)" : "a second, different receipt";
    }

    private static Contracts.V1.Envelope HandBuilt(NodeContext politie, bool trained)
    {
        politie.TrustList.TryGet("reclassering", out var reclassering);
        var pseudonym = politie.PseudonymKeys.Current(politie.Time.GetUtcNow()).Pseudonym("reclassering", reclassering!.CurrentPseudonymKey(politie.Time.GetUtcNow())!.Key,
            SubjectId.Bsn(DemoSignals.SuspectBsn, "subject"));
        var signal = new Signal
        {
            RiskAssessed = new RiskAssessed
            {
                Level = RiskLevel.High,
                Subject = new SubjectRef { Pseudonym = ByteString.CopyFrom(pseudonym) },
                CaseReference = DemoSignals.CaseReference,
            },
        };
        if (trained)
        {
            signal.RiskAssessed.TrainedAssessor = true;
        }
        return EnvelopeFactory.Create(politie, reclassering, "risk-for-supervision", "RiskAssessed", "protection-order-enforcement", Priority.Routine, signal)
            .Sealed.Envelope;
    }

    private static string Endpoint(NodeContext node, string partner) =>
        node.TrustList.TryGet(partner, out var p) ? p.PeerEndpoint : throw new InvalidOperationException(partner);

    private static async Task<string> DeliverAsync(NodeContext politie, Contracts.V1.Envelope envelope)
    {
        using var channel = PeerClients.CreateChannel(Endpoint(politie, "reclassering"), "reclassering", politie);
        try
        {
            await new PeerService.PeerServiceClient(channel).DeliverAsync(envelope).ConfigureAwait(false);
            return "accepted (not refused)";
        }
        catch (RpcException e)
        {
            return ErrorMapping.ReasonOf(e) is { } reason ? $"{Core.Errors.ReasonCodes.ToWire(reason)} ({e.Status.Detail})" : e.Status.ToString();
        }
    }
}
