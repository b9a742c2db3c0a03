using System.Diagnostics;
using ChainGateway.Core.Subjects;

namespace ChainGateway.Node.Match;

/// <summary>
/// Keeps the subject index complete for every pseudonym key pair (generation) that is valid or upcoming: at start,
/// every <c>match.indexCheckSeconds</c>, and when asked, it builds a generation the index lacks (a rotation's new key)
/// page by page from the sealed ids, reporting progress in the log, a metric and <see cref="Status"/>; and it drops
/// generations whose keys expired. Registrations made meanwhile index every active generation themselves.
/// </summary>
public sealed class MatchIndexBuilder(SubjectMatching matching, ISubjectIndex index, ILogger<MatchIndexBuilder> logger) : BackgroundService
{
    private readonly object gate = new();
    private TaskCompletionSource idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IndexBuildState? running;

    /// <summary>The build in progress, if any.</summary>
    public IndexBuildState? Running => running;

    /// <summary>Completes when a check found every active generation built.</summary>
    public Task WhenIdleAsync()
    {
        lock (gate)
        {
            return idle.Task;
        }
    }

    /// <summary>Runs a check now (after a key rotation, in tests).</summary>
    public void CheckNow()
    {
        lock (gate)
        {
            wake.TrySetResult();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var node = matching.Node;
        var interval = TimeSpan.FromSeconds(Math.Max(1, node.Configuration.Match.IndexCheckSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            Task woken;
            lock (gate)
            {
                if (wake.Task.IsCompleted)
                {
                    wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                woken = wake.Task;
            }
            try
            {
                await CheckAsync(stoppingToken).ConfigureAwait(false);
                lock (gate)
                {
                    idle.TrySetResult();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed build is retried at the next check; the node goes on answering from what it has.
            catch (Exception e)
#pragma warning restore CA1031
            {
                MatchLog.BuildFailed(logger, e);
            }
            try
            {
                await Task.WhenAny(woken, Task.Delay(interval, node.Time, stoppingToken)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        var now = matching.Node.Time.GetUtcNow();
        var builds = await index.GetIndexBuildsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var partner in matching.Askers)
        {
            var active = matching.KeyRing.Generations(partner, now, includeUpcoming: true);
            var dropped = await index.DropGenerationsAsync(partner, active.Select(g => g.Id).ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
            if (dropped > 0)
            {
                MatchLog.Dropped(logger, partner, dropped);
            }
            foreach (var generation in active)
            {
                if (!builds.Any(b => b.Partner == partner && b.Generation == generation.Id && b.Complete))
                {
                    lock (gate)
                    {
                        if (idle.Task.IsCompleted)
                        {
                            idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        }
                    }
                    await BuildAsync(generation, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task BuildAsync(PseudonymGeneration generation, CancellationToken cancellationToken)
    {
        var time = matching.Node.Time;
        var batch = Math.Max(1, matching.Node.Configuration.Match.IndexBatch);
        var total = await index.CountSubjectsAsync(cancellationToken).ConfigureAwait(false);
        var started = time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        MatchLog.BuildStarted(logger, generation.Partner, generation.Id, total);
        long indexed = 0;
        var nextReport = 100_000L;
        byte[]? after = null;
        while (true)
        {
            var page = await index.ReadSubjectsAsync(after, batch, cancellationToken).ConfigureAwait(false);
            var rows = new List<(byte[], byte[])>(page.Count);
            foreach (var row in page)
            {
                var subject = matching.Sealer.Open(row.SealedId, row.SubjectKey);
                if (subject is null)
                {
                    MatchLog.SubjectUnreadable(logger);
                    continue;
                }
                rows.Add((row.SubjectKey, matching.KeyRing.Pseudonym(generation, subject)));
            }
            indexed += rows.Count;
            var complete = page.Count < batch;
            running = new IndexBuildState(generation.Partner, generation.Id, indexed, Math.Max(total, indexed), complete, started,
                complete ? time.GetUtcNow() : null);
            await index.AddPseudonymsAsync(generation.Partner, generation.Id, rows, running, cancellationToken).ConfigureAwait(false);
            MatchTelemetry.Indexed.Add(rows.Count, new KeyValuePair<string, object?>("partner", generation.Partner));
            if (complete)
            {
                break;
            }
            after = page[^1].SubjectKey;
            if (indexed >= nextReport)
            {
                MatchLog.BuildProgress(logger, generation.Partner, generation.Id, indexed, total, clock.ElapsedMilliseconds);
                nextReport += 100_000;
            }
        }
        running = null;
        MatchLog.Built(logger, generation.Partner, generation.Id, indexed, clock.ElapsedMilliseconds);
    }
}
