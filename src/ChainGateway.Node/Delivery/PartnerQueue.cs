using System.Collections.Concurrent;
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
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace ChainGateway.Node.Delivery;

/// <summary>
/// Delivers one partner's queued envelopes in two lanes, several in flight at once. The urgent lane delivers urgent
/// envelopes the moment they are queued, beside a routine wave in flight, so an urgent envelope never waits for routine
/// ones (DESIGN.md §8: priority signals overtake); the routine lane delivers the rest by age. While the partner fails,
/// only the routine lane runs: it probes with one envelope, urgent first, then by age, exactly as one lane would, and
/// wakes the urgent lane when the partner answers again. An envelope in flight in one lane is claimed, so the other
/// lane does not send it as well. Each attempt goes through a Polly pipeline (a
/// timeout, and a couple of quick retries with exponential backoff and jitter for transport errors); when that
/// gives up, the next attempt is persisted with exponential backoff and full jitter, so it survives restarts.
/// A delivery counts only when the partner's signed receipt verifies and names this envelope. A permanent refusal
/// or an expired envelope goes to the dead-letter state: logged, visible to the operator, never silently dropped.
/// </summary>
internal sealed partial class PartnerQueue
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(5);

    private readonly string partner;
    private readonly NodeContext node;
    private readonly INodeStore store;
    private readonly PeerClients peers;
    private readonly OutboxTrigger trigger;
    private readonly DeliveryNotifier deliveries;
    private readonly ILogger<PartnerQueue> logger;
    private readonly ResiliencePipeline pipeline;
    /// <summary>An expired envelope's one last attempt: the timeout alone, no quick retries.</summary>
    private readonly ResiliencePipeline lastAttempt;
    private readonly int maxInFlight;
    private readonly TimeSpan maxBackoff;
    private int consecutiveFailures;
    private long backoffUntilTicks;

    public PartnerQueue(string partner, NodeContext node, INodeStore store, PeerClients peers, OutboxTrigger trigger,
        DeliveryNotifier deliveries, ILogger<PartnerQueue> logger)
    {
        this.partner = partner;
        this.node = node;
        this.store = store;
        this.peers = peers;
        this.trigger = trigger;
        this.deliveries = deliveries;
        this.logger = logger;
        var settings = node.Configuration.Delivery;
        maxInFlight = Math.Max(1, settings.MaxInFlight);
        maxBackoff = TimeSpan.FromSeconds(Math.Max(1, settings.MaxBackoffSeconds));
        pipeline = new ResiliencePipelineBuilder { TimeProvider = node.Time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RpcException>(IsTransient).Handle<HttpRequestException>().Handle<IOException>()
                    .Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = 2,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(2),
            })
            .AddTimeout(TimeSpan.FromSeconds(Math.Max(1, settings.AttemptTimeoutSeconds)))
            .Build();
        lastAttempt = new ResiliencePipelineBuilder { TimeProvider = node.Time }
            .AddTimeout(TimeSpan.FromSeconds(Math.Max(1, settings.AttemptTimeoutSeconds)))
            .Build();
    }

    private DateTimeOffset BackoffUntil
    {
        get => new(Volatile.Read(ref backoffUntilTicks), TimeSpan.Zero);
        set => Volatile.Write(ref backoffUntilTicks, value.UtcTicks);
    }

    public Task RunAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RunLaneAsync(urgentLane: false, stoppingToken), RunLaneAsync(urgentLane: true, stoppingToken));

    private async Task RunLaneAsync(bool urgentLane, CancellationToken stoppingToken)
    {
        using var flight = new DeliverySlots(maxInFlight);
        try
        {
            await RunLaneAsync(urgentLane, flight, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            await flight.DrainAsync().ConfigureAwait(false);
        }
    }

    private async Task RunLaneAsync(bool urgentLane, DeliverySlots flight, CancellationToken stoppingToken)
    {
        // After a failure the routine lane goes on taking urgent envelopes first until none is due, so a partner that is
        // back gets its whole queue urgent first, then by age, as from one lane.
        var drainingUrgent = false;
        // The store is read at start (what was queued before a restart), when asked to, when a read filled a whole batch,
        // when a retry falls due, after an idle poll and whenever the partner fails; otherwise the lane delivers what the
        // send pipeline hands over the moment it is committed.
        var mustRead = true;
        DateTimeOffset? nextRetry = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var failing = Volatile.Read(ref consecutiveFailures) > 0;
                if (urgentLane && failing)
                {
                    // One probe at a time while the partner fails: the routine lane's, which takes urgent envelopes first.
                    mustRead = true;
                    await trigger.WaitUrgentAsync(partner, IdlePoll, stoppingToken).ConfigureAwait(false);
                    continue;
                }
                var now = node.Time.GetUtcNow();
                nextRetry = Earliest(nextRetry, TakeRetryDue(urgentLane));
                var backoffUntil = BackoffUntil;
                if (now < backoffUntil)
                {
                    // The partner is unreachable: nothing is tried until the backoff ends, so when it is back its whole
                    // queue is due at once and goes out in order of priority, then age.
                    mustRead = true;
                    await Task.Delay(backoffUntil - now, node.Time, stoppingToken).ConfigureAwait(false);
                    continue;
                }
                mustRead |= failing || drainingUrgent || trigger.TakeScanRequest(partner, urgentLane) || nextRetry <= now;
                if (!mustRead)
                {
                    if (flight.Free == 0)
                    {
                        await flight.WaitForSlotAsync(stoppingToken).ConfigureAwait(false);
                        continue;
                    }
                    // Each handed-over envelope starts as soon as a slot is free, beside those in flight: no wave to wait for,
                    // and nothing to read back from the store when one ends.
                    var handedOver = Claim(SkipRead(trigger.TakeHandedOver(partner, urgentLane, flight.Free)));
                    foreach (var item in handedOver)
                    {
                        flight.Start(() => DeliverHandedOverAsync(item, stoppingToken));
                    }
                    if (handedOver.Count > 0)
                    {
                        continue;
                    }
                    var wait = nextRetry is { } retry ? Clamp(retry - now) : IdlePoll;
                    var woken = await (urgentLane ? trigger.WaitUrgentAsync(partner, wait, stoppingToken) : trigger.WaitAsync(partner, wait, stoppingToken))
                        .ConfigureAwait(false);
                    // Nothing for a whole idle poll: read the store all the same, in case anything was queued unannounced.
                    mustRead = !woken && nextRetry is null;
                    continue;
                }
                var lane = urgentLane ? OutboxLane.Urgent : failing || drainingUrgent ? OutboxLane.All : OutboxLane.Routine;
                // Everything handed over is in the store as well: read from there, it is not delivered twice from memory.
                trigger.DropHandedOver(partner, urgent: lane != OutboxLane.Routine, routine: lane != OutboxLane.Urgent);
                // While the partner fails, and while its queue drains after it answers again, the partner's backoff
                // decides when to try, not each envelope's own next attempt (they failed at different moments): the whole
                // queue goes in order of priority, then age, as the probe and the drain promise.
                var dueBy = failing || drainingUrgent ? DateTimeOffset.MaxValue : now;
                IReadOnlyList<OutboxEnvelope> due;
                List<OutboxEnvelope> batch;
                BeginRead();
                try
                {
                    due = await store.GetDueAsync(partner, dueBy, maxInFlight, stoppingToken, lane).ConfigureAwait(false);
                    batch = Claim(due, skipFinished: true);
                }
                finally
                {
                    EndRead();
                }
                drainingUrgent = lane == OutboxLane.All && due.Count > 0 && due[0].Priority == (int)Priority.Urgent;
                foreach (var item in batch)
                {
                    readFromStore.TryAdd(item.MessageId, 0);
                }
                if (batch.Count == 0)
                {
                    var next = await store.GetNextDueAsync(partner, stoppingToken, lane).ConfigureAwait(false);
                    // Read to the end: from here on the lane takes what is handed over, until the next retry falls due.
                    mustRead = false;
                    nextRetry = next;
                    if (next is null || next > node.Time.GetUtcNow())
                    {
                        if (failing)
                        {
                            // A failing partner with nothing due: wait for something new or the next retry's time. The lane
                            // reads the store on every pass while the partner fails, so going round at once would spin.
                            var idle = next is { } at ? Clamp(at - node.Time.GetUtcNow()) : IdlePoll;
                            await (urgentLane ? trigger.WaitUrgentAsync(partner, idle, stoppingToken) : trigger.WaitAsync(partner, idle, stoppingToken))
                                .ConfigureAwait(false);
                        }
                        continue;
                    }
                    await (urgentLane ? trigger.WaitUrgentAsync(partner, Clamp(next.Value - node.Time.GetUtcNow()), stoppingToken)
                        : trigger.WaitAsync(partner, Clamp(next.Value - node.Time.GetUtcNow()), stoppingToken)).ConfigureAwait(false);
                    continue;
                }
                await DeliverClaimedAsync(batch, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The loop must outlive any single failure (a store error, say); it is logged and retried.
            catch (Exception e)
#pragma warning restore CA1031
            {
                NodeLog.OutboxWorkerFailed(logger, e);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), node.Time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One handed-over envelope, in a slot of its own; a failure of this node (not the partner's) is logged and the envelope left to the next read.</summary>
    private async Task DeliverHandedOverAsync(OutboxEnvelope item, CancellationToken stoppingToken)
    {
        try
        {
            await DeliverAsync(item, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A delivery in its own slot must not take the lane down: logged, and the store has the envelope.
        catch (Exception e)
#pragma warning restore CA1031
        {
            NodeLog.OutboxWorkerFailed(logger, e);
            // Still queued and due: the lane reads it back from the store.
            RetryDue(item, node.Time.GetUtcNow());
        }
        finally
        {
            inFlight.TryRemove(item.MessageId, out _);
        }
    }

    private async Task DeliverClaimedAsync(List<OutboxEnvelope> batch, CancellationToken stoppingToken)
    {
        try
        {
            await DeliverBatchAsync(batch, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var item in batch)
            {
                inFlight.TryRemove(item.MessageId, out _);
            }
        }
    }

    private async Task DeliverBatchAsync(List<OutboxEnvelope> batch, CancellationToken stoppingToken)
    {
        // After a failure the first envelope goes alone, as a probe: while the partner is down the rest of its queue
        // is not tried in vain, and when it is back the oldest urgent envelope arrives first.
        // The batch itself is left whole: the caller lets go of every claim in it, the probe's included.
        IEnumerable<OutboxEnvelope> rest = batch;
        if (Volatile.Read(ref consecutiveFailures) > 0 || maxInFlight == 1)
        {
            if (!await DeliverAsync(batch[0], stoppingToken).ConfigureAwait(false) || batch.Count == 1)
            {
                return;
            }
            rest = batch.Skip(1);
        }
        using var unreachable = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        try
        {
            await Parallel.ForEachAsync(rest, new ParallelOptions { MaxDegreeOfParallelism = maxInFlight, CancellationToken = unreachable.Token },
                async (item, token) =>
                {
                    if (!await DeliverAsync(item, token).ConfigureAwait(false))
                    {
                        await unreachable.CancelAsync().ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // The partner went away mid-batch: what is left waits for the next round.
        }
    }

    private static TimeSpan Clamp(TimeSpan wait) =>
        wait < TimeSpan.FromMilliseconds(5) ? TimeSpan.FromMilliseconds(5) : wait > IdlePoll ? IdlePoll : wait;
}
