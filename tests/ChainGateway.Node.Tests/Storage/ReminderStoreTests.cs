using ChainGateway.Core.Cases;
using ChainGateway.Core.SharingLog;

namespace ChainGateway.Node.Tests.Storage;

/// <summary>A reminder's planned signal is kept only while it is pending (it holds a pseudonym, a case and a measure).</summary>
public sealed class ReminderStoreTests : TempStore
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static MeasureReminder Reminder(string measure, int endsInDays, int lead) =>
        new(measure, DateOnly.FromDateTime(Now.AddDays(endsInDays).UtcDateTime), "politie", lead, Now.AddDays(endsInDays - lead),
            "protection-order-enforcement", "measure-expiry-reminder", [1, 2, 3, 4, 5, 6, 7, 8]);

    [Fact]
    public async Task ReminderPayload_IsEmptied_OnceSupersededOrFired_AndKeptWhilePending()
    {
        var first = Reminder("m-A", endsInDays: 30, lead: 14);
        await Store.EnqueueAsync([], [first, Reminder("m-A", 30, 3), Reminder("m-B", 60, 14)], default);
        // m-A extended: its reminders for the old end are superseded; the new end's is fired (here: dropped, with its refusal).
        var extended = Reminder("m-A", endsInDays: 90, lead: 14);
        await Store.EnqueueAsync([], [extended], default);
        Assert.True(await Store.FireReminderAsync(extended, null,
            new LogEntry { Time = Now, Event = LogEvent.Denied, Outcome = "denied", ReasonCode = "UNKNOWN_KEY" }, default));

        long withPayload = -1, rows = -1;
        await ReopenAsync(path =>
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*), sum(length(payload) > 0) FROM measure_reminders";
            using var reader = command.ExecuteReader();
            reader.Read();
            (rows, withPayload) = (reader.GetInt64(0), reader.GetInt64(1));
        });
        Assert.Equal(4, rows);
        // Only m-B's pending reminder still holds its signal.
        Assert.Equal(1, withPayload);
        Assert.Equal(["m-B"], (await Store.GetDueRemindersAsync(Now.AddYears(1), 10, default)).Select(r => r.MeasureId));
    }
}
