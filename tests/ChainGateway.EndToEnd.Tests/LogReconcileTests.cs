using Microsoft.Data.Sqlite;

namespace ChainGateway.EndToEnd.Tests;

/// <summary><c>chaingw log reconcile</c> as an operator runs it, against a partner's real node process (tiles over mutual TLS).</summary>
public sealed class LogReconcileTests
{
    [Fact]
    public async Task Reconcile_AgreesWithARunningPartner_ThenListsADifferenceAfterItsLogIsAltered()
    {
        var root = Path.Combine(Path.GetTempPath(), "chaingw-e2e-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            var certs = Path.Combine(root, "certs");
            var init = await ChaingwProcess.RunAsync(TimeSpan.FromMinutes(2), "init", "--out", certs, "--base-port",
                ChaingwProcess.FreeBasePort(8).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(init.ExitCode == 0, init.Output);
            var politieData = Path.Combine(root, "politie");
            var omData = Path.Combine(root, "om");
            await using var politie = new NodeProcess(Path.Combine(certs, "politie"), politieData);
            await using var om = new NodeProcess(Path.Combine(certs, "om"), omData);
            await politie.StartAsync();
            await om.StartAsync();

            // Load mode waits until every signal is delivered with a verified receipt.
            var send = await ChaingwProcess.RunAsync(TimeSpan.FromMinutes(2), "send", "--config", Path.Combine(certs, "politie"), "--to", "om",
                "--purpose", "risk-assessment", "--count", "3");
            Assert.True(send.ExitCode == 0, send.Output);
            // om's graceful stop signs a checkpoint over the entries the receipts name.
            await om.StopAsync();
            await om.StartAsync();

            var agree = await ReconcileAsync(certs, politieData);
            Assert.True(agree.ExitCode == 0, agree.Output);
            Assert.Contains("log reconcile: ok", agree.Output, StringComparison.Ordinal);
            Assert.Contains("3 receipts from 'om'", agree.Output, StringComparison.Ordinal);

            // Behind om's back, its record of receiving from politie now names another partner (leaf hashes untouched).
            await om.StopAsync();
            using (var connection = new SqliteConnection($"Data Source={Directory.GetFiles(omData, "*.db").Single()};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "UPDATE sharing_log SET partner = 'veilig-thuis' WHERE event = 'Received'";
                Assert.Equal(3, command.ExecuteNonQuery());
            }
            await om.StartAsync();

            var differ = await ReconcileAsync(certs, politieData);
            Assert.True(differ.ExitCode == 1, differ.Output);
            Assert.Contains("difference", differ.Output, StringComparison.Ordinal);
            // om now serves politie only the entries that name it: the altered ones are withheld (their stored leaf hashes
            // still prove om's tree), and each receipt names an entry that, as om serves it, records no exchange with us.
            // (one word: the console wraps the line between words.)
            Assert.Contains("withheld", differ.Output, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static Task<(int ExitCode, string Output)> ReconcileAsync(string certs, string data) =>
        ChaingwProcess.RunAsync(TimeSpan.FromMinutes(2), "log", "reconcile", "om", "--config", Path.Combine(certs, "politie"), "--data", data);
}
