using ChainGateway.Contracts.V1;
using ChainGateway.Core.Subjects;

namespace ChainGateway.Node.Match;

/// <summary>The operator's view of the index builds: per partner and key pair, how far, how long.</summary>
internal static class MatchIndexStatus
{
    public static async Task<MatchIndexStatusResponse> GetAsync(MatchIndexBuilder builder, ISubjectIndex index, TimeProvider time,
        MatchIndexStatusRequest request, CancellationToken cancellationToken)
    {
        if (request.WaitSeconds > 0)
        {
            try
            {
                await builder.WhenIdleAsync().WaitAsync(TimeSpan.FromSeconds(Math.Min(request.WaitSeconds, 60)), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Answer with the progress so far.
            }
        }
        var builds = await index.GetIndexBuildsAsync(cancellationToken).ConfigureAwait(false);
        var response = new MatchIndexStatusResponse { Subjects = (ulong)await index.CountSubjectsAsync(cancellationToken).ConfigureAwait(false) };
        foreach (var build in builds)
        {
            var end = build.FinishedAt ?? time.GetUtcNow();
            response.Builds.Add(new MatchIndexBuild
            {
                Partner = build.Partner,
                Generation = build.Generation,
                Indexed = (ulong)build.Indexed,
                Total = (ulong)build.Total,
                Complete = build.Complete,
                ElapsedMs = (ulong)Math.Max(0, (end - build.StartedAt).TotalMilliseconds),
            });
        }
        return response;
    }
}
