using System.Collections.Concurrent;
using ChainGateway.Contracts.V1;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.Errors;
using ChainGateway.Core.SharingLog;
using ChainGateway.Core.Telemetry;
using ChainGateway.Node.Errors;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Local;
using Google.Protobuf;
using Grpc.Core;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace ChainGateway.Node.Delivery;

/// <summary>One delivery attempt of a partner's queue and what follows from its outcome: the receipt checked and stored, a retry
/// persisted with backoff, or a dead letter.</summary>
internal sealed partial class PartnerQueue
{
    private static readonly HashSet<ReasonCode> Permanent =
    [
        ReasonCode.Malformed, ReasonCode.TooLarge, ReasonCode.UnknownPartner, ReasonCode.SenderMismatch, ReasonCode.BadSignature,
        ReasonCode.DecryptFailed, ReasonCode.Replayed, ReasonCode.Expired, ReasonCode.AgreementMismatch, ReasonCode.RuleDenied,
        ReasonCode.FieldNotAllowed,
    ];

    private static bool IsTransient(RpcException e) =>
        !RefusedAsTooLarge(e) && (ErrorMapping.ReasonOf(e) is not { } reason || !Permanent.Contains(reason));

    /// <summary>
    /// The partner's transport refused the message as larger than it reads (RESOURCE_EXHAUSTED, before its service saw it,
    /// so without a reason): it will refuse it every time, as TOO_LARGE.
    /// </summary>
    private static bool RefusedAsTooLarge(RpcException e) => e.StatusCode == StatusCode.ResourceExhausted && ErrorMapping.ReasonOf(e) is null;

    /// <summary>False when the partner could not be reached.</summary>
    private async Task<bool> DeliverAsync(OutboxEnvelope item, CancellationToken cancellationToken)
    {
        // An expired envelope still gets one last attempt: the partner may have accepted it before and only its receipt was
        // lost, and then it answers with the original receipt (a partner refuses an expired envelope it does not hold).
        var expired = item.ExpiresAt <= node.Time.GetUtcNow();
        Receipt receipt;
        // The failures before this attempt: the deliveries in flight when a partner goes down all fail together, and
        // that is one failure of the partner, not one per envelope (counted per envelope, a wave of 32 took the backoff
        // to its 300 s cap after a single restart of the partner).
        var failuresBefore = Volatile.Read(ref consecutiveFailures);
        var attemptStarted = node.Time.GetTimestamp();
        try
        {
            var envelope = Contracts.V1.Envelope.Parser.ParseFrom(item.Envelope);
            var client = peers.For(partner);
            receipt = await (expired ? lastAttempt : pipeline).ExecuteAsync(
                async token => await client.DeliverAsync(envelope, cancellationToken: token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            RecordAttempt(item, attemptStarted, "ok");
        }
        catch (Exception) when (AttemptFailed(item, attemptStarted))
        {
            // Never entered: the filter records the failed attempt and answers false, so the handlers below get the exception.
            throw;
        }
        catch (RpcException e) when (ErrorMapping.ReasonOf(e) is { } reason && Permanent.Contains(reason))
        {
            // The partner answered: it is reachable, whatever it thought of this envelope.
            PartnerAnswered();
            await DeadLetterAsync(item, reason.ToWire(), e.Status.Detail, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RpcException e) when (RefusedAsTooLarge(e))
        {
            PartnerAnswered();
            await DeadLetterAsync(item, ReasonCode.TooLarge.ToWire(),
                $"the partner's transport refused the {item.Envelope.Length}-byte envelope as larger than it reads ({e.Status.Detail})", cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is RpcException or HttpRequestException or IOException or TimeoutRejectedException)
        {
            Interlocked.CompareExchange(ref consecutiveFailures, failuresBefore + 1, failuresBefore);
            var failures = Math.Max(1, Volatile.Read(ref consecutiveFailures));
            var backoffUntil = node.Time.GetUtcNow() + Backoff(failures);
            BackoffUntil = backoffUntil;
            var error = e is RpcException r ? $"{r.StatusCode}: {r.Status.Detail}" : e.Message;
            if (expired)
            {
                await DeadLetterAsync(item, ReasonCode.Expired.ToWire(), $"the envelope expired before it could be delivered (the last attempt: {error})",
                    cancellationToken).ConfigureAwait(false);
                return false;
            }
            await RetryLaterAsync(item, error, backoffUntil, cancellationToken).ConfigureAwait(false);
            return false;
        }
        PartnerAnswered();
        var body = VerifyReceipt(item, receipt);
        if (body is null)
        {
            var next = node.Time.GetUtcNow() + Backoff(item.Attempts + 1);
            await RetryLaterAsync(item, "the partner's receipt does not verify or does not name this envelope", next, cancellationToken)
                .ConfigureAwait(false);
            RetryDue(item, next);
            return true;
        }
        var receiptBytes = receipt.ToByteArray();
        var recorded = await store.MarkDeliveredAsync(item.MessageId, receiptBytes, new LogEntry
        {
            Time = node.Time.GetUtcNow(),
            Event = LogEvent.Delivered,
            Partner = partner,
            MessageId = item.MessageId,
            EnvelopeHash = item.EnvelopeHash,
            Outcome = "ok",
            Detail = $"receipt: partner log index {body.LogIndex}",
        }, cancellationToken, (Priority)item.Priority).ConfigureAwait(false);
        NodeLog.Delivered(logger, item.MessageId, partner, body.LogIndex);
        ChainGatewayTelemetry.SignalsDelivered.Add(1, new KeyValuePair<string, object?>("partner", partner));
        // From the Send's acknowledgement (the envelope's creation) to its receipt stored: retries and outages included.
        ChainGatewayTelemetry.DeliveryDuration.Record(Math.Max(0, (node.Time.GetUtcNow() - item.CreatedAt).TotalSeconds),
            new KeyValuePair<string, object?>("partner", partner),
            new KeyValuePair<string, object?>("priority", ChainGatewayTelemetry.PriorityTag(item.Priority == (int)Priority.Urgent)));
        // The waiters get the state with the wake-up, so they need not read back what was just written; if another attempt
        // recorded the delivery first, they read it.
        Finished(item.MessageId);
        deliveries.Notify(item.MessageId,
            recorded ? new OutboxStatus(item.MessageId, partner, OutboxState.Delivered, item.Attempts + 1, null, receiptBytes) : null);
        return true;
    }

    /// <summary>The partner answered a call: no longer failing.</summary>
    private void PartnerAnswered()
    {
        if (Interlocked.Exchange(ref consecutiveFailures, 0) > 0)
        {
            // The partner answers again: the urgent lane, which stood down while it failed, takes over urgent envelopes.
            trigger.Notify(partner, Priority.Urgent);
        }
    }

    private void RecordAttempt(OutboxEnvelope item, long started, string outcome) =>
        ChainGatewayTelemetry.DeliveryAttemptDuration.Record(node.Time.GetElapsedTime(started).TotalSeconds,
            new KeyValuePair<string, object?>("partner", partner), new KeyValuePair<string, object?>("outcome", outcome),
            new KeyValuePair<string, object?>("priority", ChainGatewayTelemetry.PriorityTag(item.Priority == (int)Priority.Urgent)));

    /// <summary>Records a failed Deliver call's round trip; false, so that as an exception filter it catches nothing.</summary>
    private bool AttemptFailed(OutboxEnvelope item, long started)
    {
        RecordAttempt(item, started, "failed");
        return false;
    }

    private ReceiptBody? VerifyReceipt(OutboxEnvelope item, Receipt receipt)
    {
        if (!node.TrustList.TryGet(partner, out var partnerInfo))
        {
            return null;
        }
        foreach (var key in partnerInfo.SigningKeys)
        {
            var body = ReceiptSigner.Verify(receipt, key.Key);
            if (body is not null)
            {
                var matches = body.Outcome == ReceiptOutcome.Accepted
                    && body.ReceiverKeyId == key.KeyId
                    && body.MessageId.Span.SequenceEqual(MessageId.ToBytes(item.MessageId))
                    && body.EnvelopeHash.Span.SequenceEqual(item.EnvelopeHash);
                // Every listing of that key counts (a key listed twice: a window extended by a second listing).
                return matches && partnerInfo.SigningKeys.Any(k => k.KeyId == key.KeyId && SignedInKeyWindow(item, k, body)) ? body : null;
            }
        }
        return null;
    }

    /// <summary>
    /// A receipt counts when the receiver's key that signed it is valid now, or was when the receiver says it received the
    /// envelope: the original receipt of an envelope accepted earlier, answered again to a retry after the receiver's key
    /// rotated, is still the proof of delivery. That moment cannot lie before this envelope was made (less the allowed
    /// clock skew), so a key retired before then signs nothing that counts.
    /// </summary>
    private bool SignedInKeyWindow(OutboxEnvelope item, Core.Federation.PartnerKey key, ReceiptBody body)
    {
        if (key.IsValidAt(node.Time.GetUtcNow()))
        {
            return true;
        }
        if (!WireTime.TryGet(body.ReceivedAt, out var receivedAt))
        {
            return false;
        }
        var skew = node.Limits.MaxClockSkew;
        return receivedAt >= item.CreatedAt - skew && receivedAt <= node.Time.GetUtcNow() + skew && key.IsValidAt(receivedAt);
    }

    /// <summary>Exponential in the number of failures, capped, with jitter so many nodes do not retry in lockstep.</summary>
    private TimeSpan Backoff(int failures)
    {
        var ceiling = Math.Min(maxBackoff.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(failures, 20)));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    private async Task RetryLaterAsync(OutboxEnvelope item, string error, DateTimeOffset next, CancellationToken cancellationToken)
    {
        await store.MarkRetryAsync(item.MessageId, error, next, cancellationToken).ConfigureAwait(false);
        NodeLog.DeliveryRetry(logger, item.MessageId, partner, item.Attempts + 1, error, next);
    }

    private async Task DeadLetterAsync(OutboxEnvelope item, string reason, string detail, CancellationToken cancellationToken)
    {
        var failure = $"{reason}: {detail}";
        var recorded = await store.MarkDeadLetterAsync(item.MessageId, failure, new LogEntry
        {
            Time = node.Time.GetUtcNow(),
            Event = LogEvent.DeadLettered,
            Partner = partner,
            MessageId = item.MessageId,
            EnvelopeHash = item.EnvelopeHash,
            Outcome = "dead-letter",
            ReasonCode = reason,
            Detail = detail,
        }, cancellationToken, (Priority)item.Priority).ConfigureAwait(false);
        NodeLog.DeadLettered(logger, item.MessageId, partner, failure);
        ChainGatewayTelemetry.DeadLetters.Add(1, new KeyValuePair<string, object?>("reason", reason));
        Finished(item.MessageId);
        deliveries.Notify(item.MessageId, recorded ? new OutboxStatus(item.MessageId, partner, OutboxState.DeadLetter, item.Attempts + 1, failure, null) : null);
    }
}
