using ChainGateway.Contracts.V1;
using ChainGateway.Core.Cases;
using ChainGateway.Core.Delivery;
using ChainGateway.Core.SharingLog;

namespace ChainGateway.Node.Tests.Storage;

/// <summary>A case fact keeps when its sender made the signal beside when this node sent or received it.</summary>
public sealed class CaseFactStoreTests : TempStore
{
    private static readonly byte[] Pseudonym = [.. Enumerable.Repeat((byte)4, 32)];

    [Fact]
    public async Task AReceivedFact_IsReadWithItsEnvelopesCreatedAt_ASentOneWithItsSendTime()
    {
        // Whole milliseconds: the store keeps times to the millisecond.
        var made = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var received = made.AddMinutes(3);
        var sent = made.AddMinutes(7);
        var receivedId = Guid.CreateVersion7();
        var sentId = Guid.CreateVersion7();
        await Store.AcceptAsync(
            new InboxEnvelope("om", receivedId, new byte[32], "RiskAssessed", "risk-assessment", "rule", [1], made, received, received.AddDays(30),
                Fact(FactDirection.Received, receivedId, received, made)),
            new LogEntry { Time = received, Event = LogEvent.Received, Outcome = "ok", MessageId = receivedId }, _ => [9], default);
        await Store.EnqueueAsync([new OutboxEnvelope(sentId, "om", 1, [1], new byte[32], sent, sent.AddDays(3), 0,
            new LogEntry { Time = sent, Event = LogEvent.Sent, Outcome = "ok", MessageId = sentId }, Fact(FactDirection.Sent, sentId, sent, sent))], default);

        var facts = (await Store.GetCaseFactsAsync([("om", Pseudonym)], default)).ToDictionary(f => f.MessageId);
        Assert.Equal((received, made), (facts[receivedId].At, facts[receivedId].CreatedAt));
        Assert.Equal((sent, sent), (facts[sentId].At, facts[sentId].CreatedAt));
    }

    [Fact]
    public async Task AFactWhoseCreatedAtIsNotItsEnvelopes_IsRefused()
    {
        var now = DateTimeOffset.UtcNow;
        var id = Guid.CreateVersion7();
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AcceptAsync(
            new InboxEnvelope("om", id, new byte[32], "RiskAssessed", "risk-assessment", "rule", [1], now, now, now.AddDays(30),
                Fact(FactDirection.Received, id, now, now.AddMinutes(-1))),
            new LogEntry { Time = now, Event = LogEvent.Received, Outcome = "ok", MessageId = id }, _ => [9], default));
    }

    private static CaseFact Fact(FactDirection direction, Guid id, DateTimeOffset at, DateTimeOffset createdAt) =>
        new(direction, "om", id, "RiskAssessed", "risk-assessment", "rule", at, at.AddDays(30), [1, 2, 3], [Pseudonym], createdAt);
}
