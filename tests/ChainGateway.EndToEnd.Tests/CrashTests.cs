using System.Collections.Concurrent;
using ChainGateway.Contracts.V1;
using ChainGateway.Node.Auth;
using ChainGateway.Node.Configuration;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace ChainGateway.EndToEnd.Tests;

/// <summary>
/// DESIGN.md §8: a node killed at any moment loses nothing it acknowledged and delivers nothing twice. Real
/// <c>chaingw serve</c> processes; a bounded stream of signals from politie to om while one of them is killed with
/// SIGKILL and restarted again and again; a case system at om that subscribes and acknowledges. The number of kills
/// is CHAINGW_CRASH_KILLS (default 10; run with 20 or more by hand).
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    private static int Kills => int.TryParse(Environment.GetEnvironmentVariable("CHAINGW_CRASH_KILLS"), out var n) ? n : 10;

    [Theory]
    [InlineData("receiver")]
    [InlineData("sender")]
    public async Task KilledAgainAndAgain_NothingAcknowledgedIsLost_NothingArrivesTwice(string victim)
    {
        var root = Path.Combine(Path.GetTempPath(), "chaingw-crash-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            var certs = Path.Combine(root, "certs");
            var init = await ChaingwProcess.RunAsync(TimeSpan.FromMinutes(2), "init", "--out", certs, "--base-port",
                ChaingwProcess.FreeBasePort(8).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(init.ExitCode == 0, init.Output);
            await using var politie = new NodeProcess(Path.Combine(certs, "politie"), Path.Combine(root, "politie"));
            await using var om = new NodeProcess(Path.Combine(certs, "om"), Path.Combine(root, "om"));
            await politie.StartAsync();
            await om.StartAsync();
            var killed = victim == "receiver" ? om : politie;

            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var sender = new Sender(NodeConfiguration.Load(Path.Combine(certs, "politie")));
            var consumer = new Consumer(NodeConfiguration.Load(Path.Combine(certs, "om")));
            using var sending = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
            var sendLoop = sender.RunAsync(maxSignals: 5000, perSecond: 60, sending.Token);
            var consumeLoop = consumer.RunAsync(stop.Token);

            // Kill and restart on a timer, a bounded number of times.
            using (var every = new PeriodicTimer(TimeSpan.FromMilliseconds(1200)))
            {
                while (killed.Kills < Kills && await every.WaitForNextTickAsync(stop.Token))
                {
                    await killed.KillAsync();
                    await killed.StartAsync();
                }
            }
            await sending.CancelAsync();
            await sendLoop;

            // Everything acknowledged must arrive; wait for it (bounded), then stop both nodes cleanly and inspect.
            await consumer.WaitForAllAsync(sender.Acknowledged.Keys, TimeSpan.FromMinutes(3));
            await stop.CancelAsync();
            await consumeLoop;
            await politie.StopAsync();
            await om.StopAsync();

            var acknowledged = sender.Acknowledged.Keys.ToHashSet();
            var lost = acknowledged.Count(id => !consumer.Received.ContainsKey(id));
            var duplicates = consumer.DuplicatesAfterAck;
            output.WriteLine($"crash: victim={victim} kills={killed.Kills} sent={sender.Attempted} acknowledged={acknowledged.Count} " +
                $"delivered={consumer.Received.Count} duplicates={duplicates} lost={lost} redelivered-before-ack={consumer.RedeliveredBeforeAck}");
            Console.WriteLine($"crash: victim={victim} kills={killed.Kills} sent={sender.Attempted} acknowledged={acknowledged.Count} " +
                $"delivered={consumer.Received.Count} duplicates={duplicates} lost={lost} redelivered-before-ack={consumer.RedeliveredBeforeAck}");

            foreach (var (failure, count) in sender.Failures)
            {
                output.WriteLine($"crash: {count} sends failed with {failure}");
                Console.WriteLine($"crash: {count} sends failed with {failure}");
            }
            Assert.Equal(Kills, killed.Kills);
            // Signals flowed throughout (at least one acknowledged per kill on average); what matters is what follows.
            Assert.True(acknowledged.Count >= Kills, $"only {acknowledged.Count} sends were acknowledged");
            Assert.Equal(0, lost);
            Assert.Equal(0, duplicates);
            AssertStoresConsistent(Path.Combine(root, "politie", "politie.db"), Path.Combine(root, "om", "om.db"), acknowledged);
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static void AssertStoresConsistent(string senderDb, string receiverDb, HashSet<string> acknowledged)
    {
        using (var sender = Open(senderDb))
        {
            // Every outbox row was delivered and holds the partner's receipt.
            Assert.Equal(0L, Scalar(sender, "SELECT COUNT(*) FROM outbox WHERE state <> 2 OR receipt IS NULL"));
            Assert.Equal(Scalar(sender, "SELECT COUNT(*) FROM outbox"), Scalar(sender, "SELECT COUNT(*) FROM sharing_log WHERE event = 'Delivered'"));
        }
        using var receiver = Open(receiverDb);
        // Every inbox row has its 'received' log entry, at the index its receipt names; no message twice.
        Assert.Equal(0L, Scalar(receiver, """
            SELECT COUNT(*) FROM inbox i LEFT JOIN sharing_log l ON l.idx = i.log_index AND l.event = 'Received' AND l.message_id = i.message_id
            WHERE l.idx IS NULL
            """));
        Assert.Equal(Scalar(receiver, "SELECT COUNT(*) FROM inbox"), Scalar(receiver, "SELECT COUNT(DISTINCT message_id) FROM inbox"));
        Assert.True((long)Scalar(receiver, "SELECT COUNT(*) FROM inbox") >= acknowledged.Count);
    }

    /// <summary>A case system reconnects promptly when its node comes back (the default backoff grows to minutes).</summary>
    private static GrpcChannel Channel(NodeConfiguration configuration) => GrpcChannel.ForAddress("http://" + configuration.Local.Listen,
        new GrpcChannelOptions { InitialReconnectBackoff = TimeSpan.FromMilliseconds(50), MaxReconnectBackoff = TimeSpan.FromMilliseconds(250) });

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>politie's case system: sends at a steady rate; a Send that fails (node down) is simply not counted.</summary>
    private sealed class Sender(NodeConfiguration configuration)
    {
        public ConcurrentDictionary<string, bool> Acknowledged { get; } = new();

        public ConcurrentDictionary<string, int> Failures { get; } = new();

        public int Attempted;

        public async Task RunAsync(int maxSignals, int perSecond, CancellationToken cancellationToken)
        {
            using var channel = Channel(configuration);
            var client = new LocalService.LocalServiceClient(channel);
            var headers = new Metadata { { "authorization", "Bearer " + DevTokens.Mint(configuration, "crash-test", [LocalUser.Caseworker], TimeSpan.FromHours(1), TimeProvider.System) } };
            var inFlight = new List<Task>();
            using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / perSecond));
            try
            {
                while (Attempted < maxSignals && await tick.WaitForNextTickAsync(cancellationToken))
                {
                    Interlocked.Increment(ref Attempted);
                    inFlight.Add(SendOneAsync(client, headers));
                }
            }
            catch (OperationCanceledException)
            {
            }
            await Task.WhenAll(inFlight);
        }

        private static Signal Report()
        {
            var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1);
            return new Signal
            {
                StalkingReported = new StalkingReported
                {
                    ReportKind = ReportKind.Melding,
                    ReportedOn = new Google.Type.Date { Year = day.Year, Month = day.Month, Day = day.Day },
                    Suspect = new SubjectRef { Bsn = "123456782" },
                    Victim = new SubjectRef { Bsn = "111222333" },
                    CaseReference = "CRASH-1",
                },
            };
        }

        private async Task SendOneAsync(LocalService.LocalServiceClient client, Metadata headers)
        {
            try
            {
                var request = new SendRequest { Purpose = "risk-assessment", Signal = Report(), Recipients = { "om" } };
                // Wait for ready: a Send issued while the node restarts waits for it, as a case system's client would.
                var response = await client.SendAsync(request, new CallOptions(headers, DateTime.UtcNow.AddSeconds(10)).WithWaitForReady());
                Acknowledged[response.Envelopes[0].MessageId] = true;
            }
            catch (RpcException e)
            {
                // Not acknowledged: the case system would try again with a new signal; nothing is promised for this one.
                Failures.AddOrUpdate(e.StatusCode + ": " + e.Status.Detail[..Math.Min(80, e.Status.Detail.Length)], 1, (_, n) => n + 1);
            }
        }
    }

    /// <summary>om's case system: subscribes, acknowledges each signal, reconnects when the node goes away.</summary>
    private sealed class Consumer(NodeConfiguration configuration)
    {
        private readonly ConcurrentDictionary<string, bool> acked = new();
        private TaskCompletionSource progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentDictionary<string, int> Received { get; } = new();

        public int DuplicatesAfterAck;

        public int RedeliveredBeforeAck;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var headers = new Metadata { { "authorization", "Bearer " + DevTokens.Mint(configuration, "crash-consumer", [LocalUser.Caseworker], TimeSpan.FromHours(1), TimeProvider.System) } };
            using var retry = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    using var channel = Channel(configuration);
                    var client = new LocalService.LocalServiceClient(channel);
                    using var call = client.Subscribe(new SubscribeRequest(), new CallOptions(headers, cancellationToken: cancellationToken).WithWaitForReady());
                    await foreach (var signal in call.ResponseStream.ReadAllAsync(cancellationToken))
                    {
                        if (acked.ContainsKey(signal.MessageId))
                        {
                            Interlocked.Increment(ref DuplicatesAfterAck);
                        }
                        else if (!Received.TryAdd(signal.MessageId, 1))
                        {
                            Interlocked.Increment(ref RedeliveredBeforeAck);
                        }
                        await client.AckAsync(new AckRequest { MessageIds = { signal.MessageId } }, headers, cancellationToken: cancellationToken);
                        acked[signal.MessageId] = true;
                        Interlocked.Exchange(ref progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                    }
                }
                catch (RpcException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The node went away (killed): reconnect on the next tick.
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (RpcException)
                {
                    return;
                }
                try
                {
                    await retry.WaitForNextTickAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        public async Task WaitForAllAsync(IEnumerable<string> ids, TimeSpan timeout)
        {
            var wanted = ids.ToList();
            using var deadline = new CancellationTokenSource(timeout);
            while (true)
            {
                var next = Volatile.Read(ref progress).Task;
                var missing = wanted.Count(id => !Received.ContainsKey(id));
                if (missing == 0)
                {
                    return;
                }
                try
                {
                    await next.WaitAsync(deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"{missing} acknowledged signals never reached the consumer");
                }
            }
        }
    }
}
