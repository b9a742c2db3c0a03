using System.Security.Cryptography;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.Errors;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Hosting;
using Google.Protobuf;

namespace ChainGateway.Node.Reconcile;

/// <summary>Step 3 of a reconcile run: each receipt we hold from the partner against the entry it names in the partner's signed log.</summary>
public static partial class SharingLogReconcile
{
    /// <summary>One receipt checked: agreeing (neither), a difference, or pending (recent, beyond the partner's signed log).</summary>
    private readonly record struct ReceiptCheck(string? Difference, bool Pending = false)
    {
        public static readonly ReceiptCheck NotSignedYet = new(null, Pending: true);

        public static implicit operator ReceiptCheck(string? difference) => new(difference);
    }

    private static async Task<ReceiptCheck> CheckReceiptAsync(NodeContext node, string partner, DeliveredReceipt delivered, Checkpoint checkpoint,
        List<(byte[] Bytes, LogEntry? Entry)> entries, TileHashReader tiles, CancellationToken cancellationToken)
    {
        var where = $"receipt for message {delivered.MessageId}";
        ReceiptBody? body = null;
        try
        {
            var receipt = Receipt.Parser.ParseFrom(delivered.Receipt);
            // The receipt names the key that signed it; an old (rotated) listed key still counts for an old receipt.
            var keyId = ReceiptBody.Parser.ParseFrom(receipt.Body).ReceiverKeyId;
            body = node.TrustList.TryGet(partner, out var listed)
                ? listed.SigningKeys.Where(k => k.KeyId == keyId).Select(k => ReceiptSigner.Verify(receipt, k.Key)).FirstOrDefault(b => b is not null)
                : null;
        }
        catch (InvalidProtocolBufferException)
        {
        }
        if (body is null || body.MessageId.Length != 16 || new Guid(body.MessageId.Span, bigEndian: true) != delivered.MessageId)
        {
            return $"{where}: not a receipt for this message signed by '{partner}'";
        }
        var index = (long)body.LogIndex;
        if (index > checkpoint.Size && IsRecent(node, body))
        {
            return ReceiptCheck.NotSignedYet;
        }
        if (index < 1 || index > checkpoint.Size)
        {
            return $"{where}: it names the partner's entry #{index}, outside its signed log of {checkpoint.Size} entries";
        }
        // RFC 9162 §2.1.3.2: the entry (leaf index - 1) is in the tree the partner signed.
        var (bytes, entry) = entries[(int)(index - 1)];
        if (bytes.Length == 0)
        {
            // Withheld from us: the partner serves each partner only the entries that name it.
            return $"{where}: the partner's entry #{index} is withheld from us, so it does not record an exchange with us";
        }
        var leaf = MerkleTree.HashLeaf(bytes);
        var proof = await tiles.InclusionProofAsync(index - 1, checkpoint.Size, cancellationToken).ConfigureAwait(false);
        if (!MerkleProofs.VerifyInclusion(leaf, index - 1, checkpoint.Size, proof, checkpoint.RootHash))
        {
            return $"{where}: the partner's entry #{index} is not proven included in its signed log";
        }
        if (entry is null)
        {
            return $"{where}: the partner's entry #{index} cannot be decoded";
        }
        if (entry.Partner != node.Organisation || entry.MessageId != delivered.MessageId || entry.Event is not (LogEvent.Received or LogEvent.Rejected)
            || entry.EnvelopeHash is null || !CryptographicOperations.FixedTimeEquals(entry.EnvelopeHash, delivered.EnvelopeHash))
        {
            return $"{where}: the partner's entry #{index} does not record it (it is {entry.Event} of message {entry.MessageId?.ToString() ?? "-"} with '{entry.Partner ?? "-"}')";
        }
        return OutcomeMismatch(body, entry, index) is { } mismatch ? $"{where}: {mismatch}" : null;
    }

    /// <summary>
    /// The receipt's outcome must be what the partner logged: accepted is Received, rejected is Rejected with the same
    /// reason code. Otherwise the partner told us one thing and its log another.
    /// </summary>
    private static string? OutcomeMismatch(ReceiptBody body, LogEntry entry, long index) => (body.Outcome, entry.Event) switch
    {
        (ReceiptOutcome.Accepted, LogEvent.Received) => null,
        (ReceiptOutcome.Rejected, LogEvent.Rejected) when body.Reason == entry.ReasonCode => null,
        (ReceiptOutcome.Rejected, LogEvent.Rejected) =>
            $"it says rejected for {body.Reason}, but the partner's entry #{index} records the rejection for {entry.ReasonCode ?? "no reason"}",
        _ => $"it says {body.Outcome}, but the partner's entry #{index} records {entry.Event}",
    };

    private static bool IsRecent(NodeContext node, ReceiptBody body)
    {
        // The partner chose this time: recent is no further ahead than the clock skew allows, or a receipt dated in the
        // future would stay pending for ever and its missing entry never be a difference.
        var now = node.Time.GetUtcNow();
        return WireTime.TryGet(body.ReceivedAt, out var receivedAt) && receivedAt >= now - PendingGrace && receivedAt <= now + node.Limits.MaxClockSkew;
    }
}
