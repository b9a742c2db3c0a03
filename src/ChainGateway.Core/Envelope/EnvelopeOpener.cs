using System.Security.Cryptography;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Errors;
using ChainGateway.Core.Federation;
using Google.Protobuf;
using NSec.Cryptography;

namespace ChainGateway.Core.Envelope;

/// <summary>
/// The receiving side of DESIGN.md §4, in two steps, so that an envelope refused after its signature verified (a retry of
/// one accepted before, now expired, say) can still be answered with its original receipt:
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
        RequireIdentifiers(header);
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
        // Any listed key of the sender's verifies, also one outside its window: a retry of an envelope accepted while its
        // key was valid (its receipt lost on the way) must still get the original receipt. A new envelope under a key
        // not valid now is refused in Open, after the node has looked for such an original.
        // A key id names one public key (its thumbprint); a key listed more than once (a window extended by a second
        // listing) is valid now when any of its listings is.
        var senderKey = sender.SigningKeys.FirstOrDefault(k => k.KeyId == header.SenderKeyId);
        if (senderKey is null)
        {
            ChainGatewayException.Throw(ReasonCode.UnknownKey,
                $"'{header.Sender}' has no listed signing key '{header.SenderKeyId}'", "header.sender_key_id");
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
        var now = time.GetUtcNow();
        return new AuthenticatedEnvelope(envelope, header, messageId, SHA256.HashData(signed), sender.FindSigningKey(senderKey.KeyId, now) is not null);
    }

    /// <summary>
    /// The header's names, before anything is compared, logged or echoed: present, at most <see cref="Identifiers.MaxLength"/>
    /// characters, no control characters (MALFORMED otherwise). A partner's purpose of 100,000 characters would otherwise go
    /// into the append-only log and into error trailers larger than a client accepts.
    /// </summary>
    private static void RequireIdentifiers(EnvelopeHeader header)
    {
        Identifiers.Require(header.Sender, "header.sender", "sender");
        Identifiers.Require(header.Recipient, "header.recipient", "recipient");
        Identifiers.Require(header.SignalType, "header.signal_type", "signal type");
        Identifiers.Require(header.Purpose, "header.purpose", "purpose");
        Identifiers.Require(header.RuleId, "header.rule_id", "rule id");
        Identifiers.Require(header.SenderKeyId, "header.sender_key_id", "sender key id");
        Identifiers.Require(header.RecipientKeyId, "header.recipient_key_id", "recipient key id");
        if (header.Traceparent.Length > Identifiers.MaxLength)
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, $"a traceparent has at most {Identifiers.MaxLength} characters", "header.traceparent");
        }
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
        if (!authenticated.SigningKeyValidNow)
        {
            ChainGatewayException.Throw(ReasonCode.UnknownKey,
                $"the signing key '{header.SenderKeyId}' of '{header.Sender}' is not valid now", "header.sender_key_id");
        }
        var createdAt = WireTime.Require(header.CreatedAt, "header.created_at");
        var expiresAt = WireTime.Require(header.ExpiresAt, "header.expires_at");
        if (expiresAt <= now)
        {
            ChainGatewayException.Throw(ReasonCode.Expired, $"the envelope expired at {expiresAt:O}");
        }
        if ((createdAt - now).Duration() > limits.MaxClockSkew && createdAt > now)
        {
            ChainGatewayException.Throw(ReasonCode.ClockSkew, $"created_at {createdAt:O} is ahead of this node's clock by more than {limits.MaxClockSkew}");
        }
        // Any envelope key this node holds: during a rotation, envelopes sealed to the key before the switch still open.
        var recipientKey = ownKeys.EnvelopeKey(header.RecipientKeyId);
        if (recipientKey is null)
        {
            ChainGatewayException.Throw(ReasonCode.UnknownKey,
                $"the envelope was sealed to key '{header.RecipientKeyId}', which this node does not hold", "header.recipient_key_id");
        }
        var envelope = authenticated.Envelope;
        var plaintext = new byte[envelope.Ciphertext.Length - Hpke.TagSize];
        if (!Hpke.Open(recipientKey, envelope.Enc.Span, SignatureInput.HpkeInfo, envelope.Header.Span, envelope.Ciphertext.Span, plaintext))
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

/// <summary>
/// An envelope whose signature verified with a key listed for its sender; nothing is decrypted yet.
/// <paramref name="SigningKeyValidNow"/> is false when that key is outside its validity window: good enough to find the
/// original receipt of a retry, not to accept the envelope as new.
/// </summary>
public sealed record AuthenticatedEnvelope(Contracts.V1.Envelope Envelope, EnvelopeHeader Header, Guid MessageId, byte[] Hash,
    bool SigningKeyValidNow = true);

/// <summary>Receiver limits (DESIGN.md §4).</summary>
public sealed record EnvelopeLimits(int MaxEnvelopeBytes, TimeSpan MaxClockSkew)
{
    public static EnvelopeLimits Default { get; } = new(64 * 1024, TimeSpan.FromMinutes(5));
}
