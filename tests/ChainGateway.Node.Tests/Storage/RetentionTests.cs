using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;

namespace ChainGateway.Node.Tests.Storage;

public sealed class RetentionTests : TempStore
{
    private async Task<Guid> ReceiveAsync(DateTimeOffset receivedAt, int retentionDays)
    {
        var id = Guid.CreateVersion7();
        await Store.AcceptAsync(
            new InboxEnvelope("politie", id, new byte[32], "RiskAssessed", "risk-assessment", "rule", [1, 2, 3], receivedAt, receivedAt, receivedAt.AddDays(retentionDays)),
            new LogEntry { Time = receivedAt, Event = LogEvent.Received, Outcome = "ok", MessageId = id }, _ => [9], default);
        return id;
    }

    /// <summary>A received signal whose body is a unique marker, kept 30 days: a test can look for the marker in the store's files.</summary>
    private async Task<byte[]> ReceiveMarkedAsync(DateTimeOffset receivedAt)
    {
        var marker = System.Text.Encoding.ASCII.GetBytes("MARKER-" + Guid.NewGuid().ToString("N") + "-END");
        var id = Guid.CreateVersion7();
        await Store.AcceptAsync(
            new InboxEnvelope("politie", id, new byte[32], "RiskAssessed", "risk-assessment", "rule", marker, receivedAt, receivedAt, receivedAt.AddDays(30)),
            new LogEntry { Time = receivedAt, Event = LogEvent.Received, Outcome = "ok", MessageId = id }, _ => [9], default);
        return marker;
    }

    [Fact]
    public async Task PurgedBody_IsGoneFromTheStoresFiles_NotOnlyFromItsTables()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var marker = await ReceiveMarkedAsync(start);
        // Some traffic after it, as on a node: the body's page is in the database file, not only in the write-ahead log.
        for (var i = 0; i < 50; i++)
        {
            await ReceiveAsync(start, retentionDays: 365);
        }
        Assert.Equal(1, (await Store.PurgeExpiredAsync(start.AddDays(31), default)).Signals);
        await Store.ScrubAsync(default);

        var found = new List<string>();
        await ReopenAsync(path =>
        {
            foreach (var file in new[] { path, path + "-wal" }.Where(File.Exists))
            {
                if (File.ReadAllBytes(file).AsSpan().IndexOf(marker) >= 0)
                {
                    found.Add(Path.GetFileName(file));
                }
            }
        });
        Assert.Empty(found);
    }

    [Fact]
    public async Task RetentionEnded_BodyIsPurged_WithALogEntry_AndTheLogStaysWhole()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var shortLived = await ReceiveAsync(start, retentionDays: 30);
        var longLived = await ReceiveAsync(start, retentionDays: 365);

        Assert.Equal(0, (await Store.PurgeExpiredAsync(start.AddDays(29), default)).Signals);
        Assert.Equal(1, (await Store.PurgeExpiredAsync(start.AddDays(31), default)).Signals);
        Assert.Equal(0, (await Store.PurgeExpiredAsync(start.AddDays(31), default)).Signals);

        var unacknowledged = await Store.GetUnacknowledgedAsync(0, 10, default);
        Assert.Equal([longLived], unacknowledged.Select(r => r.MessageId));
        var log = await Store.ReadLogAsync(0, 10, default);
        Assert.Equal([LogEvent.Received, LogEvent.Received, LogEvent.Purged], log.Select(e => e.Event));
        Assert.Equal(shortLived, log[2].MessageId);
        // The receipt and the row stay (exactly-once still holds); only the body is gone.
        var row = await Store.FindInboxAsync("politie", shortLived, default);
        Assert.NotNull(row);
        Assert.Empty(row.Payload);
    }

    [Fact]
    public async Task ASignalPurgedBeforeTheCaseSystemAcknowledgedIt_IsCounted_AndItsPurgedEntrySaysSo()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var taken = await ReceiveAsync(start, retentionDays: 30);
        var neverTaken = await ReceiveAsync(start, retentionDays: 30);
        Assert.Equal(1, await Store.AcknowledgeAsync([taken], default));

        var purged = await Store.PurgeExpiredAsync(start.AddDays(31), default);

        Assert.Equal((2, 1), (purged.Signals, purged.Unacknowledged));
        var entries = (await Store.ReadLogAsync(0, 20, default)).Where(e => e.Event == LogEvent.Purged).ToDictionary(e => e.MessageId!.Value);
        Assert.Equal("retention ended: body deleted", entries[taken].Detail);
        Assert.Contains("before the organisation's systems acknowledged it", entries[neverTaken].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AScrubThatAReaderHoldsUp_SaysSo_AndOnceTheReaderIsDone_TheNextOneClearsThePurgedBody()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var marker = await ReceiveMarkedAsync(start);
        Assert.Equal(1, (await Store.PurgeExpiredAsync(start.AddDays(31), default)).Signals);

        // A reader in the middle of a read, as `chaingw log verify` beside the node: the log cannot be cleared meanwhile
        // (the scrub waits for it as long as the store's busy timeout, 5 s, and then says so).
        using (var reader = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={StorePath};Mode=ReadOnly;Pooling=False"))
        {
            reader.Open();
            using var read = reader.BeginTransaction(deferred: true);
            using var count = reader.CreateCommand();
            count.Transaction = read;
            count.CommandText = "SELECT count(*) FROM inbox";
            Assert.Equal(1L, count.ExecuteScalar());

            Assert.False(await Store.ScrubAsync(default));
            Assert.True(File.ReadAllBytes(StorePath + "-wal").AsSpan().IndexOf(marker) >= 0);
        }

        Assert.True(await Store.ScrubAsync(default));
        Assert.Equal(0, new FileInfo(StorePath + "-wal").Length);
    }
}

public sealed class CaseFactRetentionTests : TempStore
{
    private static readonly byte[] Pseudonym = [.. Enumerable.Repeat((byte)3, 32)];

    private static Core.Cases.CaseFact Fact(Contracts.V1.FactDirection direction, Guid id, DateTimeOffset at, int retentionDays) =>
        new(direction, "om", id, "RiskAssessed", "risk-assessment", "rule", at, at.AddDays(retentionDays), [1, 2, 3], [Pseudonym], at);

    [Fact]
    public async Task CaseOverviewCopies_GoWhenTheirRetentionEnds_TheSentOnesWithALogEntryOfTheirOwn()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var sent = Guid.CreateVersion7();
        var received = Guid.CreateVersion7();
        var kept = Guid.CreateVersion7();
        await Store.EnqueueAsync([new OutboxEnvelope(sent, "om", 1, [1], new byte[32], start, start.AddDays(3), 0,
            new LogEntry { Time = start, Event = LogEvent.Sent, Outcome = "ok", MessageId = sent }, Fact(Contracts.V1.FactDirection.Sent, sent, start, 30))], default);
        await Store.AcceptAsync(
            new InboxEnvelope("om", received, new byte[32], "RiskAssessed", "risk-assessment", "rule", [1, 2, 3], start, start, start.AddDays(30),
                Fact(Contracts.V1.FactDirection.Received, received, start, 30)),
            new LogEntry { Time = start, Event = LogEvent.Received, Outcome = "ok", MessageId = received }, _ => [9], default);
        await Store.AcceptAsync(
            new InboxEnvelope("om", kept, new byte[32], "RiskAssessed", "risk-assessment", "rule", [1, 2, 3], start, start, start.AddDays(365),
                Fact(Contracts.V1.FactDirection.Received, kept, start, 365)),
            new LogEntry { Time = start, Event = LogEvent.Received, Outcome = "ok", MessageId = kept }, _ => [9], default);
        Assert.Equal(3, (await Store.GetCaseFactsAsync([("om", Pseudonym)], default)).Count);

        // The received body and the sent copy: two purges, each logged once.
        Assert.Equal(2, (await Store.PurgeExpiredAsync(start.AddDays(31), default)).Signals);
        Assert.Equal([kept], (await Store.GetCaseFactsAsync([("om", Pseudonym)], default)).Select(f => f.MessageId));
        var purged = (await Store.ReadLogAsync(0, 20, default)).Where(e => e.Event == LogEvent.Purged).Select(e => e.MessageId).ToList();
        Assert.Equal(2, purged.Count);
        Assert.Contains(sent, purged);
        Assert.Contains(received, purged);
    }

    [Fact]
    public async Task ALaterAgreementThatShortensARulesRetention_AppliesToWhatIsStored_ButNeverLengthensIt()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var received = Guid.CreateVersion7();
        var sent = Guid.CreateVersion7();
        var otherRule = Guid.CreateVersion7();
        await Store.AcceptAsync(
            new InboxEnvelope("om", received, new byte[32], "RiskAssessed", "risk-assessment", "rule", [1, 2, 3], start, start, start.AddDays(30),
                Fact(Contracts.V1.FactDirection.Received, received, start, 30)),
            new LogEntry { Time = start, Event = LogEvent.Received, Outcome = "ok", MessageId = received }, _ => [9], default);
        await Store.EnqueueAsync([new OutboxEnvelope(sent, "om", 1, [1], new byte[32], start, start.AddDays(3), 0,
            new LogEntry { Time = start, Event = LogEvent.Sent, Outcome = "ok", MessageId = sent }, Fact(Contracts.V1.FactDirection.Sent, sent, start, 30))], default);
        await Store.AcceptAsync(
            new InboxEnvelope("om", otherRule, new byte[32], "RiskAssessed", "risk-assessment", "other-rule", [1, 2, 3], start, start, start.AddDays(30)),
            new LogEntry { Time = start, Event = LogEvent.Received, Outcome = "ok", MessageId = otherRule }, _ => [9], default);

        // Longer than stored: nothing changes. Shorter: the body and both overview copies end 10 days after they came.
        // Once per agreement: the same agreement again is not applied again.
        Assert.Equal(0, await Store.ShortenRetentionAsync([1], new Dictionary<string, int> { ["rule"] = 60 }, default));
        Assert.Equal(3, await Store.ShortenRetentionAsync([2], new Dictionary<string, int> { ["rule"] = 10, ["gone-rule"] = 1 }, default));
        Assert.Equal(0, await Store.ShortenRetentionAsync([2], new Dictionary<string, int> { ["rule"] = 5 }, default));
        Assert.Equal(0, await Store.ShortenRetentionAsync([3], new Dictionary<string, int> { ["rule"] = 10 }, default));

        Assert.Equal(0, (await Store.PurgeExpiredAsync(start.AddDays(9), default)).Rows);
        var purged = await Store.PurgeExpiredAsync(start.AddDays(11), default);
        Assert.Equal(2, purged.Signals); // the received body and the sent copy (the received copy goes with its body)
        Assert.Empty(await Store.GetCaseFactsAsync([("om", Pseudonym)], default));
        // The signal of another rule keeps its 30 days.
        Assert.Equal([otherRule], (await Store.GetUnacknowledgedAsync(0, 10, default)).Select(r => r.MessageId));
    }

    [Fact]
    public async Task MoreExpiredCopiesThanOneBatch_AreAllDeleted_BeforeThePurgeReportsNothingLeft()
    {
        // More sent copies than one call takes, queued before more received signals than one call takes: the calls that
        // purge the received bodies spend their copy batch on the sent copies, and the received copies come after.
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        const int Each = 2_000;
        var sent = Enumerable.Range(0, Each).Select(_ => Guid.CreateVersion7()).ToList();
        await Store.EnqueueAsync([.. sent.Select(id => new OutboxEnvelope(id, "om", 1, [1], new byte[32], start, start.AddDays(3), 0,
            new LogEntry { Time = start, Event = LogEvent.Sent, Outcome = "ok", MessageId = id }, Fact(Contracts.V1.FactDirection.Sent, id, start, 30)))], default);
        await Task.WhenAll(Enumerable.Range(0, Each).Select(_ =>
        {
            var id = Guid.CreateVersion7();
            return Store.AcceptAsync(
                new InboxEnvelope("om", id, new byte[32], "RiskAssessed", "risk-assessment", "rule", [1, 2, 3], start, start, start.AddDays(30),
                    Fact(Contracts.V1.FactDirection.Received, id, start, 30)),
                new LogEntry { Time = start, Event = LogEvent.Received, Outcome = "ok", MessageId = id }, _ => [9], default);
        }));
        Assert.Equal(2 * Each, (await Store.GetCaseFactsAsync([("om", Pseudonym)], default)).Count);

        var logged = 0;
        PurgeResult result;
        do
        {
            result = await Store.PurgeExpiredAsync(start.AddDays(31), default);
            logged += result.Signals;
        }
        while (result.Rows > 0);

        Assert.Empty(await Store.GetCaseFactsAsync([("om", Pseudonym)], default));
        Assert.Equal(2 * Each, logged);
        Assert.Equal(2 * Each, (await Store.ReadLogAsync(0, 10_000, default)).Count(e => e.Event == LogEvent.Purged));
    }

    [Fact]
    public async Task LateRegistration_LinksReceivedSignalsThroughTheirCaseFacts_AndNotOnesWhoseRetentionEnded()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var (_, kept) = await ReceiveExpiringAndKeptAsync(start);
        var sent = Guid.CreateVersion7();
        // A signal sent to om about the same person carries the same pairwise pseudonym; it is not a received signal.
        await Store.EnqueueAsync([new OutboxEnvelope(sent, "om", 1, [1], new byte[32], start, start.AddDays(3), 0,
            new LogEntry { Time = start, Event = LogEvent.Sent, Outcome = "ok", MessageId = sent }, Fact(Contracts.V1.FactDirection.Sent, sent, start, 365))], default);

        Assert.Equal(2, (await Store.RegisterSubjectsAsync([Subject(1)], default)).LinkedSignals);
        Assert.Equal(1, (await Store.PurgeExpiredAsync(start.AddDays(31), default)).Signals);

        // Registered after the first signal's retention ended: linked to the other one only.
        Assert.Equal(1, (await Store.RegisterSubjectsAsync([Subject(2)], default)).LinkedSignals);
        Assert.Equal([kept], (await Store.GetLinkedSignalsAsync(Subject(2).SubjectKey, default)).Select(s => s.MessageId));
    }

    [Fact]
    public async Task RetentionEnded_TheSignalsSubjectLinksGo_AndTheLinksOfSignalsStillKeptStay()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await Store.RegisterSubjectsAsync([Subject(1)], default);
        var (expired, kept) = await ReceiveExpiringAndKeptAsync(start);
        Assert.Equal([expired, kept], (await Store.GetLinkedSignalsAsync(Subject(1).SubjectKey, default)).Select(s => s.MessageId));

        Assert.Equal(0, (await Store.PurgeExpiredAsync(start.AddDays(29), default)).Signals);
        Assert.Equal(2, (await Store.GetLinkedSignalsAsync(Subject(1).SubjectKey, default)).Count);
        Assert.Equal(1, (await Store.PurgeExpiredAsync(start.AddDays(31), default)).Signals);
        Assert.Equal([kept], (await Store.GetLinkedSignalsAsync(Subject(1).SubjectKey, default)).Select(s => s.MessageId));
    }

    [Fact]
    public async Task Migration7_RemovesLinksToSignalsPurgedBeforeIt_AndKeepsTheOthers()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        await Store.RegisterSubjectsAsync([Subject(1)], default);
        var (_, kept) = await ReceiveExpiringAndKeptAsync(start);
        Assert.Equal(1, (await Store.PurgeExpiredAsync(start.AddDays(31), default)).Signals);

        // As a version-6 store left it: the purge kept the link. The migration runs when the store opens.
        await ReopenAsync(path =>
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                DROP INDEX subject_links_signal;
                DROP INDEX sharing_log_answered_queries;
                INSERT INTO subject_links (subject_key, seq) SELECT $key, seq FROM inbox WHERE payload IS NULL;
                PRAGMA user_version = 6;
                """;
            command.Parameters.AddWithValue("$key", Subject(1).SubjectKey);
            command.ExecuteNonQuery();
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM subject_links";
            Assert.Equal(2L, count.ExecuteScalar());
        });

        Assert.Equal([kept], (await Store.GetLinkedSignalsAsync(Subject(1).SubjectKey, default)).Select(s => s.MessageId));
    }

    /// <summary>Two signals from om received at <paramref name="start"/> about the same person: retention 30 and 365 days.</summary>
    private async Task<(Guid Expired, Guid Kept)> ReceiveExpiringAndKeptAsync(DateTimeOffset start)
    {
        var expired = Guid.CreateVersion7();
        var kept = Guid.CreateVersion7();
        foreach (var (id, days) in new[] { (expired, 30), (kept, 365) })
        {
            await Store.AcceptAsync(
                new InboxEnvelope("om", id, new byte[32], "RiskAssessed", "risk-assessment", "rule", [1, 2, 3], start, start, start.AddDays(days),
                    Fact(Contracts.V1.FactDirection.Received, id, start, days)),
                new LogEntry { Time = start, Event = LogEvent.Received, Outcome = "ok", MessageId = id }, _ => [9], default);
        }
        return (expired, kept);
    }

    private static Core.Subjects.IndexedSubject Subject(byte key) =>
        new([.. Enumerable.Repeat(key, 32)], [4], [5], [new Core.Subjects.IndexedPseudonym("om", "g1", Pseudonym)], DateTimeOffset.UnixEpoch);
}
