using System.Diagnostics;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Federation;
using ChainGateway.Node.Hosting;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace ChainGateway.Node.Delivery;

/// <summary>
/// Builds the header for one recipient and seals+signs a signal that is already minimised and pseudonymised.
/// It checks nothing: rule evaluation is the caller's (the send pipeline's) job.
/// </summary>
public static class EnvelopeFactory
{
    public static (Guid MessageId, SealedEnvelope Sealed) Create(NodeContext node, Partner recipient, string ruleId, string signalType,
        string purpose, Priority priority, Signal signal)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(recipient);
        var now = node.Time.GetUtcNow();
        var envelopeKey = recipient.CurrentEnvelopeKey(now)
            ?? throw new ChainGatewayException(ReasonCode.UnknownKey, $"'{recipient.Id}' has no envelope key valid now");
        var messageId = MessageId.New(node.Time);
        var header = new EnvelopeHeader
        {
            Version = EnvelopeOpener.WireVersion,
            MessageId = ByteString.CopyFrom(MessageId.ToBytes(messageId)),
            Sender = node.Organisation,
            Recipient = recipient.Id,
            SignalType = signalType,
            Purpose = purpose,
            RuleId = ruleId,
            AgreementHash = ByteString.CopyFrom(node.AgreementHash),
            SenderKeyId = node.Keys.SigningKeyId,
            RecipientKeyId = envelopeKey.KeyId,
            CreatedAt = Timestamp.FromDateTimeOffset(now),
            ExpiresAt = Timestamp.FromDateTimeOffset(now + node.EnvelopeLifetime),
            Priority = priority,
            Traceparent = Activity.Current?.Id ?? string.Empty,
        };
        return (messageId, EnvelopeSealer.Seal(header, new SignalPayload { Signal = signal }, envelopeKey.Key, node.Keys.Signing));
    }
}
