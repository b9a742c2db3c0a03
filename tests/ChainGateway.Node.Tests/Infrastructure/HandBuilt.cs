using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.Subjects;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Peer;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;

namespace ChainGateway.Node.Tests.Infrastructure;

/// <summary>Envelopes built by hand, as a misbehaving or attacking peer would, and raw peer clients.</summary>
public static class HandBuilt
{
    public const string Bsn = "123456782";

    /// <summary>A signed envelope sealed to <paramref name="recipientKey"/> (by default the recipient's current envelope key).</summary>
    public static Contracts.V1.Envelope Envelope(NodeContext sender, string recipient, string ruleId, string purpose, Signal signal,
        Action<EnvelopeHeader>? mutate = null, Core.Federation.PartnerKey? recipientKey = null, SignalPayload? payload = null)
    {
        Assert.True(sender.TrustList.TryGet(recipient, out var partner));
        var now = sender.Time.GetUtcNow();
        var key = recipientKey ?? partner.CurrentEnvelopeKey(now)!;
        var header = new EnvelopeHeader
        {
            Version = 1,
            MessageId = ByteString.CopyFrom(MessageId.ToBytes(MessageId.New(sender.Time))),
            Sender = sender.Organisation,
            Recipient = recipient,
            SignalType = signal.KindCase switch
            {
                Signal.KindOneofCase.RiskAssessed => "RiskAssessed",
                _ => "StalkingReported",
            },
            Purpose = purpose,
            RuleId = ruleId,
            AgreementHash = ByteString.CopyFrom(sender.AgreementHash),
            SenderKeyId = sender.Keys.SigningKeyId,
            RecipientKeyId = key.KeyId,
            CreatedAt = Timestamp.FromDateTimeOffset(now),
            ExpiresAt = Timestamp.FromDateTimeOffset(now.AddHours(1)),
            Priority = Priority.Routine,
        };
        mutate?.Invoke(header);
        return EnvelopeSealer.Seal(header, payload ?? new SignalPayload { Signal = signal }, key.Key, sender.Keys.Signing).Envelope;
    }

    public static byte[] Pseudonym(NodeContext sender, string recipient, string bsn = Bsn)
    {
        Assert.True(sender.TrustList.TryGet(recipient, out var partner));
        return sender.PseudonymKeys.Current(sender.Time.GetUtcNow()).Pseudonym(recipient, partner.CurrentPseudonymKey(sender.Time.GetUtcNow())!.Key, SubjectId.Bsn(bsn, "subject"));
    }

    /// <summary>A RiskAssessed for reclassering's 'risk-for-supervision' rule; <paramref name="trained"/> adds a field that rule does not allow.</summary>
    public static Signal RiskForSupervision(NodeContext sender, bool trained = false)
    {
        var signal = new Signal
        {
            RiskAssessed = new RiskAssessed
            {
                Level = RiskLevel.High,
                Subject = new SubjectRef { Pseudonym = ByteString.CopyFrom(Pseudonym(sender, "reclassering")) },
                CaseReference = "PL-1",
            },
        };
        if (trained)
        {
            signal.RiskAssessed.TrainedAssessor = true;
        }
        return signal;
    }

    public static Contracts.V1.Envelope Flip(Contracts.V1.Envelope envelope, Func<Contracts.V1.Envelope, ByteString> field,
        Action<Contracts.V1.Envelope, ByteString> set, int index)
    {
        var copy = envelope.Clone();
        var bytes = field(copy).ToByteArray();
        bytes[index % bytes.Length] ^= 0x01;
        set(copy, ByteString.CopyFrom(bytes));
        return copy;
    }

    /// <summary>A peer client that presents <paramref name="clientCertificate"/> and trusts the federation CA.</summary>
    public static PeerService.PeerServiceClient PeerClient(string endpoint, X509Certificate2 clientCertificate, X509Certificate2 federationCa,
        out GrpcChannel channel)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [clientCertificate],
                EnabledSslProtocols = SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is X509Certificate2 c && FederationCertificates.ChainsToFederationCa(c, federationCa),
            },
        };
        channel = GrpcChannel.ForAddress("https://" + endpoint, new GrpcChannelOptions { HttpHandler = handler });
        return new PeerService.PeerServiceClient(channel);
    }

    /// <summary>A PKCS#12-backed copy so SslStream can use the key on Linux.</summary>
    public static X509Certificate2 Usable(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
}
