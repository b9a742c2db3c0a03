using System.Security.Cryptography;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Federation;
using Google.Protobuf;
using NSec.Cryptography;

namespace ChainGateway.Core.Envelope;

/// <summary>
/// The receiving side of DESIGN.md §4, in two steps so that the node can answer a duplicate with its
/// original receipt between them:
/// <see cref="Authenticate"/> parses the header and verifies the signature BEFORE anything is decrypted;
/// <see cref="Open"/> checks version, agreement, time window and recipient key, then opens the payload.
/// Every failure is a <see cref="ChainGatewayException"/> with its reason code.
/// </summary>
public sealed class EnvelopeOpener(
    string ownOrganisation,
    OrganisationKeys ownKeys,
    TrustList trustList,
    byte[] agreementHash,
    TimeProvider time,
    EnvelopeLimits limits)
{
    public const uint WireVersion = 1;

    public AuthenticatedEnvelope Authenticate(Contracts.V1.Envelope envelope, string peerOrganisation)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var size = envelope.CalculateSize();
        if (size > limits.MaxEnvelopeBytes)
        {
            ChainGatewayException.Throw(ReasonCode.TooLarge,
                $"envelope is {size} bytes; the limit is {limits.MaxEnvelopeBytes}",
                metadata: new Dictionary<string, string> { ["limit"] = limits.MaxEnvelopeBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        EnvelopeHeader header;
        try
        {
            header = EnvelopeHeader.Parser.ParseFrom(envelope.Header);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ChainGatewayException(ReasonCode.Malformed, $"the header does not parse: {e.Message}", "header");
        }
        if (!MessageId.TryFromBytes(header.MessageId.Span, out var messageId))
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, "message_id must be a 16-byte UUIDv7", "header.message_id");
        }
        if (header.Sender != peerOrganisation)
        {
            ChainGatewayException.Throw(ReasonCode.SenderMismatch,
                $"the envelope names sender '{header.Sender}' but the peer certificate is '{peerOrganisation}'",
                metadata: new Dictionary<string, string> { ["peer"] = peerOrganisation });
        }
        if (header.Recipient != ownOrganisation)
        {
            ChainGatewayException.Throw(ReasonCode.Malformed,
                $"the envelope is for '{header.Recipient}', not for '{ownOrganisation}'", "header.recipient");
        }
        if (!trustList.TryGet(header.Sender, out var sender))
        {
            ChainGatewayException.Throw(ReasonCode.UnknownPartner, $"'{header.Sender}' is not in the trust list");
        }
        var senderKey = sender.FindSigningKey(header.SenderKeyId, time.GetUtcNow());
        if (senderKey is null)
        {
            ChainGatewayException.Throw(ReasonCode.UnknownKey,
                $"no signing key '{header.SenderKeyId}' of '{header.Sender}' is valid now", "header.sender_key_id");
        }
        if (envelope.Enc.Length != Hpke.EncapsulatedKeySize || envelope.Ciphertext.Length < Hpke.TagSize)
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, "enc must be 32 bytes and ciphertext at least 16", "enc");
        }
        var signed = SignatureInput.ForEnvelope(envelope.Header.Span, envelope.Enc.Span, envelope.Ciphertext.Span);
        if (!SignatureAlgorithm.Ed25519.Verify(senderKey.Key, signed, envelope.Signature.Span))
        {
            ChainGatewayException.Throw(ReasonCode.BadSignature, "the envelope signature does not verify with the sender's key");
        }
        return new AuthenticatedEnvelope(envelope, header, messageId, SHA256.HashData(signed));
    }

    public SignalPayload Open(AuthenticatedEnvelope authenticated)
    {
        ArgumentNullException.ThrowIfNull(authenticated);
        var header = authenticated.Header;
        if (header.Version != WireVersion)
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, $"unsupported envelope version {header.Version}", "header.version");
        }
        if (!CryptographicOperations.FixedTimeEquals(header.AgreementHash.Span, agreementHash))
        {
            ChainGatewayException.Throw(ReasonCode.AgreementMismatch,
                "the envelope was made under another agreement than this node's",
                metadata: new Dictionary<string, string> { ["agreement_hash"] = Convert.ToHexStringLower(agreementHash) });
        }
        var now = time.GetUtcNow();
        if (header.CreatedAt is null || header.ExpiresAt is null)
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, "created_at and expires_at are required", "header.created_at");
        }
        var createdAt = header.CreatedAt.ToDateTimeOffset();
        if (header.ExpiresAt.ToDateTimeOffset() <= now)
        {
            ChainGatewayException.Throw(ReasonCode.Expired, $"the envelope expired at {header.ExpiresAt.ToDateTimeOffset():O}");
        }
        if ((createdAt - now).Duration() > limits.MaxClockSkew && createdAt > now)
        {
            ChainGatewayException.Throw(ReasonCode.ClockSkew, $"created_at {createdAt:O} is ahead of this node's clock by more than {limits.MaxClockSkew}");
        }
        if (header.RecipientKeyId != ownKeys.EnvelopeKeyId)
        {
            ChainGatewayException.Throw(ReasonCode.UnknownKey,
                $"the envelope was sealed to key '{header.RecipientKeyId}', which this node does not hold", "header.recipient_key_id");
        }
        var envelope = authenticated.Envelope;
        var plaintext = new byte[envelope.Ciphertext.Length - Hpke.TagSize];
        if (!Hpke.Open(ownKeys.Envelope, envelope.Enc.Span, SignatureInput.HpkeInfo, envelope.Header.Span, envelope.Ciphertext.Span, plaintext))
        {
            ChainGatewayException.Throw(ReasonCode.DecryptFailed, "the payload could not be opened with this node's envelope key");
        }
        try
        {
            return SignalPayload.Parser.ParseFrom(plaintext);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ChainGatewayException(ReasonCode.Malformed, $"the payload does not parse: {e.Message}", "payload");
        }
    }
}

/// <summary>An envelope whose signature verified; nothing is decrypted yet.</summary>
public sealed record AuthenticatedEnvelope(Contracts.V1.Envelope Envelope, EnvelopeHeader Header, Guid MessageId, byte[] Hash);

/// <summary>Receiver limits (DESIGN.md §4).</summary>
public sealed record EnvelopeLimits(int MaxEnvelopeBytes, TimeSpan MaxClockSkew)
{
    public static EnvelopeLimits Default { get; } = new(64 * 1024, TimeSpan.FromMinutes(5));
}
