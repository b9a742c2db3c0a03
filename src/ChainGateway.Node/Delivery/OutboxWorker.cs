using ChainGateway.Contracts.V1;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.Envelope;
using ChainGateway.Core.Errors;
using ChainGateway.Core.SharingLog;
using ChainGateway.Node.Errors;
using ChainGateway.Node.Hosting;
using ChainGateway.Node.Local;
using Google.Protobuf;
using Grpc.Core;

namespace ChainGateway.Node.Delivery;

/// <summary>
/// Delivers queued envelopes (DESIGN.md §8): urgent first, then oldest; partners in parallel so one that is
/// down only delays its own envelopes. A delivery counts only when the partner's signed receipt verifies and
/// names this envelope. Transport failures are retried with exponential backoff and jitter; a permanent
/// refusal or an expired envelope goes to the dead-letter state, logged, never silently dropped.
/// </summary>
internal sealed class OutboxWorker(NodeContext node, INodeStore store, PeerClients peers, OutboxTrigger trigger, DeliveryNotifier deliveries,
    ILogger<OutboxWorker> logger)
    : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);

    private static readonly HashSet<ReasonCode> Permanent =
    [
        ReasonCode.Malformed, ReasonCode.TooLarge, ReasonCode.UnknownPartner, ReasonCode.SenderMismatch, ReasonCode.BadSignature,
        ReasonCode.DecryptFailed, ReasonCode.Replayed, ReasonCode.Expired, ReasonCode.AgreementMismatch, ReasonCode.RuleDenied,
        ReasonCode.FieldNotAllowed,
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var due = await store.GetDueAsync(node.Time.GetUtcNow(), 256, stoppingToken).ConfigureAwait(false);
                if (due.Count == 0)
                {
                    var next = await store.GetNextDueAsync(stoppingToken).ConfigureAwait(false);
                    var wait = next is null ? IdlePoll : Clamp(next.Value - node.Time.GetUtcNow());
                    await trigger.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
                    continue;
                }
                // Each partner's queue in order; partners side by side.
                await Task.WhenAll(due.GroupBy(e => e.Recipient, StringComparer.Ordinal)
                    .Select(queue => DeliverQueueAsync(queue.ToList(), stoppingToken))).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The worker must outlive any single failure; the error is logged.
            catch (Exception e)
#pragma warning restore CA1031
            {
                NodeLog.OutboxWorkerFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), node.Time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private static TimeSpan Clamp(TimeSpan wait) =>
        wait < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : wait > IdlePoll ? IdlePoll : wait;

    private async Task DeliverQueueAsync(List<OutboxEnvelope> queue, CancellationToken cancellationToken)
    {
        foreach (var item in queue)
        {
            if (!await DeliverAsync(item, cancellationToken).ConfigureAwait(false))
            {
                // The partner is unreachable: leave the rest of its queue for the next round.
                return;
            }
        }
    }

    /// <summary>False when the partner could not be reached (the rest of its queue waits).</summary>
    private async Task<bool> DeliverAsync(OutboxEnvelope item, CancellationToken cancellationToken)
    {
        var now = node.Time.GetUtcNow();
        if (item.ExpiresAt <= now)
        {
            await DeadLetterAsync(item, ReasonCode.Expired.ToWire(), "the envelope expired before it could be delivered", cancellationToken).ConfigureAwait(false);
            return true;
        }
        Receipt receipt;
        try
        {
            var envelope = Contracts.V1.Envelope.Parser.ParseFrom(item.Envelope);
            receipt = await peers.For(item.Recipient).DeliverAsync(envelope, deadline: DateTime.UtcNow.AddSeconds(15), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RpcException e) when (ErrorMapping.ReasonOf(e) is { } reason && Permanent.Contains(reason))
        {
            await DeadLetterAsync(item, reason.ToWire(), e.Status.Detail, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is RpcException or HttpRequestException or IOException)
        {
            await RetryAsync(item, e is RpcException r ? $"{r.StatusCode}: {r.Status.Detail}" : e.Message, cancellationToken).ConfigureAwait(false);
            return false;
        }
        var body = VerifyReceipt(item, receipt);
        if (body is null)
        {
            await RetryAsync(item, "the partner's receipt does not verify or does not name this envelope", cancellationToken).ConfigureAwait(false);
            return true;
        }
        await store.MarkDeliveredAsync(item.MessageId, receipt.ToByteArray(), new LogEntry
        {
            Time = node.Time.GetUtcNow(),
            Event = LogEvent.Delivered,
            Partner = item.Recipient,
            MessageId = item.MessageId,
            EnvelopeHash = item.EnvelopeHash,
            Outcome = "ok",
            Detail = $"receipt: partner log index {body.LogIndex}",
        }, cancellationToken).ConfigureAwait(false);
        NodeLog.Delivered(logger, item.MessageId, item.Recipient, body.LogIndex);
        deliveries.Notify();
        return true;
    }

    private ReceiptBody? VerifyReceipt(OutboxEnvelope item, Receipt receipt)
    {
        if (!node.TrustList.TryGet(item.Recipient, out var partner))
        {
            return null;
        }
        var keyIds = partner.SigningKeys.Where(k => k.IsValidAt(node.Time.GetUtcNow()));
        foreach (var key in keyIds)
        {
            var body = ReceiptSigner.Verify(receipt, key.Key);
            if (body is not null)
            {
                var matches = body.Outcome == ReceiptOutcome.Accepted
                    && body.ReceiverKeyId == key.KeyId
                    && body.MessageId.Span.SequenceEqual(MessageId.ToBytes(item.MessageId))
                    && body.EnvelopeHash.Span.SequenceEqual(item.EnvelopeHash);
                return matches ? body : null;
            }
        }
        return null;
    }

    private async Task RetryAsync(OutboxEnvelope item, string error, CancellationToken cancellationToken)
    {
        var attempt = item.Attempts + 1;
        var backoff = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(attempt, 20))));
        // Full jitter keeps many nodes from retrying in lockstep after a partner comes back.
        var next = node.Time.GetUtcNow() + backoff * (0.5 + (Random.Shared.NextDouble() / 2));
        await store.MarkRetryAsync(item.MessageId, error, next, cancellationToken).ConfigureAwait(false);
        NodeLog.DeliveryRetry(logger, item.MessageId, item.Recipient, attempt, error, next);
    }

    private async Task DeadLetterAsync(OutboxEnvelope item, string reason, string detail, CancellationToken cancellationToken)
    {
        await store.MarkDeadLetterAsync(item.MessageId, $"{reason}: {detail}", new LogEntry
        {
            Time = node.Time.GetUtcNow(),
            Event = LogEvent.DeadLettered,
            Partner = item.Recipient,
            MessageId = item.MessageId,
            EnvelopeHash = item.EnvelopeHash,
            Outcome = "dead-letter",
            ReasonCode = reason,
            Detail = detail,
        }, cancellationToken).ConfigureAwait(false);
        NodeLog.DeadLettered(logger, item.MessageId, item.Recipient, $"{reason}: {detail}");
        deliveries.Notify();
    }
}
