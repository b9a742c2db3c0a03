using ChainGateway.Core.Cases;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;
using ChainGateway.Core.Subjects;
using Microsoft.Data.Sqlite;

namespace ChainGateway.Node.Tests.Storage;

/// <summary>
/// An index build writes a page of pseudonyms it read before (MatchIndexBuilder): a subject removed in between must not
/// come back as index rows or links to received signals.
/// </summary>
public sealed class SubjectIndexBuildTests : TempStore
{
    private const string Partner = "politie";
    private static readonly byte[] Key = [1, 2, 3];
    private static readonly byte[] Upcoming = [.. Enumerable.Repeat((byte)7, PairwisePseudonymizer.Size)];

    [Fact]
    public async Task SubjectRemovedAfterItsPageWasRead_GetsNoPseudonymRowsAndNoLinks_FromTheBuild()
    {
        var now = DateTimeOffset.UtcNow;
        // A received signal names the subject's pseudonym of the key pair being built: indexing it would link the two.
        var id = Guid.CreateVersion7();
        await Store.AcceptAsync(
            new InboxEnvelope(Partner, id, new byte[32], "StalkingReported", "risk-assessment", "rule", [1], now, now, now.AddDays(30),
                new CaseFact(Contracts.V1.FactDirection.Received, Partner, id, "StalkingReported", "risk-assessment", "rule", now, now.AddDays(30), [1],
                    [Upcoming], now)),
            new LogEntry { Time = now, Event = LogEvent.Received, Outcome = "ok", MessageId = id }, _ => [9], default);
        var current = new IndexedPseudonym(Partner, "gen-1", [.. Enumerable.Repeat((byte)5, PairwisePseudonymizer.Size)]);
        var subject = new IndexedSubject(Key, [9], [7], [current, new IndexedPseudonym(Partner, "gen-2", Upcoming)], now);
        await Store.RegisterSubjectsAsync([subject with { Pseudonyms = [current] }], default);

        // The build reads its page, the subject is removed, then the build writes the page.
        var page = await Store.ReadSubjectsAsync(null, 10, default);
        Assert.Equal(Key, Assert.Single(page).SubjectKey);
        Assert.Equal(1, await Store.RemoveSubjectsAsync([subject], default));
        await Store.AddPseudonymsAsync(Partner, "gen-2", [(Key, Upcoming)], new IndexBuildState(Partner, "gen-2", 1, 1, true, now, now), default);

        Assert.Empty(await Store.GetLinkedSignalsAsync(Key, default));
        Assert.Equal(0L, PseudonymRows());
        // The build's progress is still recorded: the generation is built, for the subjects there are.
        Assert.Contains(await Store.GetIndexBuildsAsync(default), b => b.Generation == "gen-2" && b.Complete);
    }

    private long PseudonymRows()
    {
        using var connection = new SqliteConnection($"Data Source={StorePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM subject_pseudonyms";
        return (long)count.ExecuteScalar()!;
    }
}
