using ChainGateway.Contracts.V1;
using ChainGateway.Core.Cases;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.Errors;
using ChainGateway.Node.Auth;
using ChainGateway.Node.Cases;
using ChainGateway.Node.Hosting;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace ChainGateway.Node.Local;

/// <summary>
/// The organisation's own systems' API (DESIGN.md §9). Subscribe streams every unacknowledged received signal
/// and then new ones as they arrive: at-least-once towards the case system, never again once acknowledged.
/// </summary>
internal sealed class LocalGrpcService(SendPipeline sends, INodeStore store, InboxNotifier notifier, DeliveryNotifier deliveries, CaseOverviews overviews,
    NodeContext node)
    : LocalService.LocalServiceBase
{
    private const int Batch = 256;

    public override Task<SendResponse> Send(SendRequest request, ServerCallContext context) =>
        sends.SendAsync(request, LocalAuthInterceptor.UserOf(context), context.CancellationToken);

    public override async Task Subscribe(SubscribeRequest request, IServerStreamWriter<ReceivedSignal> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        long after = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            // Take the wake-up task BEFORE reading, so a signal accepted in between is not missed.
            var next = notifier.NextAsync();
            // A signal past its rule's retention is not handed out, whether or not the purge has deleted its body yet.
            var rows = await store.GetUnacknowledgedAsync(after, Batch, node.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            foreach (var row in rows)
            {
                await responseStream.WriteAsync(ToMessage(row), cancellationToken).ConfigureAwait(false);
                after = row.Sequence;
            }
            if (rows.Count < Batch)
            {
                try
                {
                    await next.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public override async Task<AckResponse> Ack(AckRequest request, ServerCallContext context)
    {
        var ids = new List<Guid>(request.MessageIds.Count);
        for (var i = 0; i < request.MessageIds.Count; i++)
        {
            if (!Guid.TryParse(request.MessageIds[i], out var id))
            {
                ChainGatewayException.Throw(ReasonCode.Malformed, $"{Identifiers.Quote(request.MessageIds[i])} is not a message id", $"message_ids[{i}]");
            }
            ids.Add(id);
        }
        var changed = await store.AcknowledgeAsync(ids, context.CancellationToken).ConfigureAwait(false);
        return new AckResponse { Acknowledged = (uint)changed };
    }

    public override async Task WatchDeliveries(WatchDeliveriesRequest request, IServerStreamWriter<DeliveryStatusResponse> responseStream,
        ServerCallContext context)
    {
        using var watch = deliveries.Watch();
        // The response headers tell the watcher that it is watching: what is sent after them is not missed.
        await context.WriteResponseHeadersAsync([]).ConfigureAwait(false);
        try
        {
            await foreach (var status in watch.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                await responseStream.WriteAsync(ToResponse(status), context.CancellationToken).ConfigureAwait(false);
            }
        }
        catch (WatcherTooSlowException e)
        {
            throw new ChainGatewayException(ReasonCode.RateLimited, e.Message);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The watcher went away.
        }
    }

    private static DeliveryStatusResponse ToResponse(OutboxStatus status) => new()
    {
        MessageId = status.MessageId.ToString(),
        Recipient = status.Recipient,
        State = ToState(status.State),
        Attempts = (uint)status.Attempts,
        LastError = status.LastError ?? string.Empty,
        Receipt = status.Receipt is null ? ByteString.Empty : ByteString.CopyFrom(status.Receipt),
    };

    public override async Task<DeliveryStatusResponse> GetDeliveryStatus(DeliveryStatusRequest request, ServerCallContext context)
    {
        if (!Guid.TryParse(request.MessageId, out var id))
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, $"{Identifiers.Quote(request.MessageId)} is not a message id", "message_id");
        }
        var wait = TimeSpan.FromSeconds(Math.Min(request.WaitSeconds, 60));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        timeout.CancelAfter(wait);
        OutboxStatus? status = null;
        while (true)
        {
            // Take the wake-up task BEFORE reading, so a delivery in between is not missed; give it back on every way out
            // but a wake-up (an unknown id, a status that is final, the wait or the call ending), or the waiters grow
            // with every id a case system asks about.
            var next = deliveries.NextAsync(id);
            try
            {
                status = await store.GetOutboxStatusAsync(id, context.CancellationToken).ConfigureAwait(false);
                if (status is null)
                {
                    throw new ChainGatewayException(ReasonCode.UnknownMessage, $"this node sent no message {id}", "message_id");
                }
                if (status.State != OutboxState.Queued || wait == TimeSpan.Zero)
                {
                    break;
                }
                if (await next.WaitAsync(timeout.Token).ConfigureAwait(false) is { } final)
                {
                    status = final;
                    next = null;
                    break;
                }
                next = null;
            }
            catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested && status is not null)
            {
                // The wait ended with the message still queued: that is the answer.
                break;
            }
            finally
            {
                if (next is not null)
                {
                    deliveries.Forget(id, next);
                }
            }
        }
        return ToResponse(status);
    }

    public override async Task<OutboxResponse> GetOutbox(OutboxRequest request, ServerCallContext context)
    {
        var max = request.MaxDeadLetters == 0 ? 20 : (int)Math.Min(request.MaxDeadLetters, 500);
        var summary = await store.GetOutboxSummaryAsync(max, context.CancellationToken).ConfigureAwait(false);
        var response = new OutboxResponse();
        response.Counts.AddRange(summary.Counts.Select(c => new Contracts.V1.OutboxCount { Partner = c.Recipient, State = ToState(c.State), Count = (ulong)c.Count }));
        response.DeadLetters.AddRange(summary.DeadLetters.Select(d => new DeliveryStatusResponse
        {
            MessageId = d.MessageId.ToString(),
            Recipient = d.Recipient,
            State = DeliveryState.DeadLetter,
            Attempts = (uint)d.Attempts,
            LastError = d.LastError ?? string.Empty,
        }));
        var alerts = await store.ReadWitnessAlertsAsync(max, context.CancellationToken).ConfigureAwait(false);
        response.Alerts.AddRange(alerts.Select(a => new OperatorAlert
        {
            Time = Timestamp.FromDateTimeOffset(a.Time),
            Partner = a.Partner ?? string.Empty,
            ReasonCode = a.ReasonCode ?? string.Empty,
            Detail = a.Detail ?? string.Empty,
            LogIndex = (ulong)a.Index,
        }));
        response.KeyNotices.AddRange(Service<Hosting.OwnKeyMonitor>(context).Notices().Select(n => new KeyNotice
        {
            Use = n.Use.ToString().ToLowerInvariant(),
            KeyId = n.KeyId,
            Until = n.Until is { } until ? Timestamp.FromDateTimeOffset(until) : null,
            Expired = n.Expired,
            Message = n.Message,
        }));
        return response;
    }

    public override Task<CaseOverview> GetCaseOverview(CaseOverviewRequest request, ServerCallContext context) =>
        overviews.GetAsync(request.Subject, context.CancellationToken);

    public override Task<RegisterSubjectsResponse> RegisterSubjects(RegisterSubjectsRequest request, ServerCallContext context) =>
        Service<Node.Match.SubjectRegistry>(context).RegisterAsync(request, context.CancellationToken);

    public override Task<RemoveSubjectsResponse> RemoveSubjects(RemoveSubjectsRequest request, ServerCallContext context) =>
        Service<Node.Match.SubjectRegistry>(context).RemoveAsync(request, context.CancellationToken);

    public override Task<MatchResponse> Match(MatchRequest request, ServerCallContext context) =>
        Service<Node.Match.MatchAsker>(context).MatchAsync(request, LocalAuthInterceptor.UserOf(context), context.CancellationToken);

    public override Task<SubjectSignalsResponse> GetSubjectSignals(SubjectSignalsRequest request, ServerCallContext context) =>
        Service<Node.Match.SubjectRegistry>(context).LinkedSignalsAsync(request, context.CancellationToken);

    public override Task<MatchIndexStatusResponse> GetMatchIndexStatus(MatchIndexStatusRequest request, ServerCallContext context) =>
        Node.Match.MatchIndexStatus.GetAsync(Service<Node.Match.MatchIndexBuilder>(context), Service<Core.Subjects.ISubjectIndex>(context),
            Service<TimeProvider>(context), request,
            context.CancellationToken);

    private static T Service<T>(ServerCallContext context) where T : notnull => context.GetHttpContext().RequestServices.GetRequiredService<T>();

    private static DeliveryState ToState(OutboxState state) => state switch
    {
        OutboxState.Queued => DeliveryState.Queued,
        OutboxState.Delivered => DeliveryState.Delivered,
        _ => DeliveryState.DeadLetter,
    };

    private static ReceivedSignal ToMessage(InboxRecord row)
    {
        var payload = SignalPayload.Parser.ParseFrom(row.Payload);
        var message = new ReceivedSignal
        {
            MessageId = row.MessageId.ToString(),
            Sender = row.Sender,
            Purpose = row.Purpose,
            RuleId = row.RuleId,
            SignalType = row.SignalType,
            Signal = payload.Signal,
            ReceivedAt = Timestamp.FromDateTimeOffset(row.ReceivedAt),
            CreatedAt = Timestamp.FromDateTimeOffset(row.CreatedAt),
            LogIndex = (ulong)row.LogIndex,
        };
        message.QualityFlags.AddRange(SignalQuality.Flags(payload.Signal));
        return message;
    }
}
