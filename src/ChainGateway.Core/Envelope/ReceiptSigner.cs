using ChainGateway.Contracts.V1;
using Google.Protobuf;
using NSec.Cryptography;

namespace ChainGateway.Core.Envelope;

/// <summary>
/// Signed receipts (DESIGN.md §4): the receiver signs "chaingateway/v1/receipt" || 0x00 || body. The body
/// travels as the exact bytes that were signed.
/// </summary>
public static class ReceiptSigner
{
    public static Receipt Sign(ReceiptBody body, Key signingKey)
    {
        ArgumentNullException.ThrowIfNull(body);
        var bytes = body.ToByteArray();
        var signature = SignatureAlgorithm.Ed25519.Sign(signingKey, SignatureInput.ForReceipt(bytes));
        return new Receipt { Body = ByteString.CopyFrom(bytes), Signature = ByteString.CopyFrom(signature) };
    }

    /// <summary>The receipt's body when its signature verifies with <paramref name="receiverKey"/>; otherwise null.</summary>
    public static ReceiptBody? Verify(Receipt receipt, PublicKey receiverKey)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        if (!SignatureAlgorithm.Ed25519.Verify(receiverKey, SignatureInput.ForReceipt(receipt.Body.Span), receipt.Signature.Span))
        {
            return null;
        }
        try
        {
            return ReceiptBody.Parser.ParseFrom(receipt.Body);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
