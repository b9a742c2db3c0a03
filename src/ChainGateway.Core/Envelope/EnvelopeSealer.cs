using ChainGateway.Contracts.V1;
using Google.Protobuf;
using NSec.Cryptography;

namespace ChainGateway.Core.Envelope;

/// <summary>
/// Seal then sign (DESIGN.md §4): the payload is HPKE-sealed to the recipient's envelope key with the header
/// bytes as aad, then the sender signs header, enc and ciphertext. One single-shot seal per recipient.
/// </summary>
public static class EnvelopeSealer
{
    public static SealedEnvelope Seal(EnvelopeHeader header, SignalPayload payload, PublicKey recipientEnvelopeKey, Key signingKey)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(signingKey);
        var headerBytes = header.ToByteArray();
        var plaintext = payload.ToByteArray();
        var enc = new byte[Hpke.EncapsulatedKeySize];
        var ciphertext = new byte[plaintext.Length + Hpke.TagSize];
        Hpke.Seal(recipientEnvelopeKey, SignatureInput.HpkeInfo, headerBytes, plaintext, enc, ciphertext);
        var signed = SignatureInput.ForEnvelope(headerBytes, enc, ciphertext);
        var signature = SignatureAlgorithm.Ed25519.Sign(signingKey, signed);
        // The four arrays are this call's own and never written again: wrap them rather than copy them.
        var envelope = new Contracts.V1.Envelope
        {
            Header = UnsafeByteOperations.UnsafeWrap(headerBytes),
            Enc = UnsafeByteOperations.UnsafeWrap(enc),
            Ciphertext = UnsafeByteOperations.UnsafeWrap(ciphertext),
            Signature = UnsafeByteOperations.UnsafeWrap(signature),
        };
        return new SealedEnvelope(envelope, System.Security.Cryptography.SHA256.HashData(signed));
    }
}

/// <summary>An envelope with its hash (SHA-256 of the signature input), as receipts and the log name it.</summary>
public sealed record SealedEnvelope(Contracts.V1.Envelope Envelope, byte[] Hash);
