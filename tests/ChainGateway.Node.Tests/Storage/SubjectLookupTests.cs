using ChainGateway.Core.Subjects;

namespace ChainGateway.Node.Tests.Storage;

/// <summary>
/// The subject index's lookups reuse open read connections with a prepared statement: they must still see every
/// committed write (no snapshot kept between calls), answer concurrent callers each with their own subject, and stop
/// with the store.
/// </summary>
public sealed class SubjectLookupTests : TempStore
{
    private const string Partner = "politie";
    private const string Generation = "gen";

    private static IndexedSubject Subject(byte id) => new(
        [id, 1, 2, 3], [id, 9], [id, 7, 7], [new IndexedPseudonym(Partner, Generation, Pseudonym(id))], DateTimeOffset.UtcNow);

    private static byte[] Pseudonym(byte id) => Enumerable.Repeat(id, PairwisePseudonymizer.Size).ToArray();

    [Fact]
    public async Task Lookups_SeeEveryCommittedChange_ThroughTheReusedConnection()
    {
        await Store.RegisterSubjectsAsync([Subject(1)], default);
        Assert.Equal([1, 7, 7], (await Store.FindSubjectAsync(Partner, [(Pseudonym(1), Generation)], default))?.Contact);
        Assert.Null(await Store.FindSubjectAsync(Partner, [(Pseudonym(2), Generation)], default));

        // Registered after the connection answered: the next lookup must see it.
        await Store.RegisterSubjectsAsync([Subject(2)], default);
        Assert.Equal([2, 1, 2, 3], (await Store.FindSubjectAsync(Partner, [(Pseudonym(2), Generation)], default))?.SubjectKey);

        // A new contact point replaces the old one, and a removed subject is gone.
        await Store.RegisterSubjectsAsync([Subject(1) with { Contact = [1, 8] }], default);
        Assert.Equal([1, 8], (await Store.FindSubjectAsync(Partner, [(Pseudonym(1), Generation)], default))?.Contact);
        await Store.RemoveSubjectsAsync([Subject(1)], default);
        Assert.Null(await Store.FindSubjectAsync(Partner, [(Pseudonym(1), Generation)], default));
    }

    [Fact]
    public async Task Lookups_TryEachCandidate_AndKeepPartnersAndGenerationsApart()
    {
        await Store.RegisterSubjectsAsync([Subject(3)], default);
        // The second candidate hits.
        Assert.Equal([3, 7, 7], (await Store.FindSubjectAsync(Partner, [(Pseudonym(4), Generation), (Pseudonym(3), Generation)], default))?.Contact);
        Assert.Null(await Store.FindSubjectAsync("om", [(Pseudonym(3), Generation)], default));
        // Indexed under one generation, named as of another: no hit.
        Assert.Null(await Store.FindSubjectAsync(Partner, [(Pseudonym(3), "other")], default));
    }

    [Fact]
    public async Task ConcurrentLookups_EachGetTheirOwnAnswer_WhileWritesCommit()
    {
        var subjects = Enumerable.Range(1, 40).Select(i => Subject((byte)i)).ToArray();
        await Store.RegisterSubjectsAsync(subjects, default);
        var lookups = Enumerable.Range(0, 400).Select(n => Task.Run(async () =>
        {
            var id = (byte)((n % 50) + 1);
            var hit = await Store.FindSubjectAsync(Partner, [(Pseudonym(id), Generation)], default);
            return id <= 40 ? hit?.SubjectKey[0] == id : hit is null;
        })).ToArray();
        // Writes committing meanwhile (another partner's subjects) change nothing the lookups should see.
        var writes = Enumerable.Range(100, 20).Select(i =>
            Store.RegisterSubjectsAsync([Subject((byte)i) with { Pseudonyms = [new IndexedPseudonym("om", Generation, Pseudonym((byte)i))] }], default));
        await Task.WhenAll(writes);
        Assert.All(await Task.WhenAll(lookups), Assert.True);
    }

    [Fact]
    public async Task Lookups_StopWithTheStore()
    {
        await Store.RegisterSubjectsAsync([Subject(5)], default);
        Assert.NotNull(await Store.FindSubjectAsync(Partner, [(Pseudonym(5), Generation)], default));
        await Store.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Store.FindSubjectAsync(Partner, [(Pseudonym(5), Generation)], default));
    }
}
