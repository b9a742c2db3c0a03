namespace ChainGateway.EndToEnd.Tests;

/// <summary>The README's main job, as a newcomer runs it: four real node processes and the scripted exchange.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task DemoOnce_RunsEveryStepAsExpected_AndExitsZero()
    {
        var root = Path.Combine(Path.GetTempPath(), "chaingw-e2e-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            var certs = Path.Combine(root, "certs");
            var init = await ChaingwProcess.RunAsync(TimeSpan.FromMinutes(2), "init", "--out", certs, "--base-port",
                ChaingwProcess.FreeBasePort(8).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(init.ExitCode == 0, init.Output);
            Assert.True(File.Exists(Path.Combine(certs, "politie", "tls.crt.pem")));

            var demo = await ChaingwProcess.RunAsync(TimeSpan.FromMinutes(4), "demo", "--once", "--certs", certs, "--data", Path.Combine(root, "data"));
            var lines = demo.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(demo.ExitCode == 0, demo.Output);
            Assert.Matches(@"^demo: (\d+)/\1 steps ok$", lines[^1]);
            Assert.Contains(lines, l => l.Contains("RULE_DENIED", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("ROLE_REQUIRED", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("FIELD_NOT_ALLOWED", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("BAD_SIGNATURE", StringComparison.Ordinal));
            // The chain scenario's own outcomes: the node-made reminder, the match hit, the checked overviews.
            Assert.Contains(lines, l => l.Contains("sends MeasureExpiring itself", StringComparison.Ordinal) && l.Contains("→ reminded politie", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("→ hit at om: om/officier-van-justitie", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("→ consistent (8 organisations", StringComparison.Ordinal));

            // The nodes stopped gracefully with a last signed checkpoint: each log verifies.
            foreach (var organisation in new[] { "politie", "reclassering" })
            {
                var verify = await ChaingwProcess.RunAsync(TimeSpan.FromMinutes(1), "log", "verify", "--config", Path.Combine(certs, organisation),
                    "--data", Path.Combine(root, "data", organisation));
                Assert.True(verify.ExitCode == 0, verify.Output);
                Assert.Contains("log verify: ok", verify.Output, StringComparison.Ordinal);
            }
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Serve_WithAnAgreementMissingASignature_RefusesToStart_NamingTheParty()
    {
        var root = Path.Combine(Path.GetTempPath(), "chaingw-e2e-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            var init = await ChaingwProcess.RunAsync(TimeSpan.FromMinutes(2), "init", "--out", root, "--base-port",
                ChaingwProcess.FreeBasePort(8).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(init.ExitCode == 0, init.Output);
            var signatures = Path.Combine(root, "agreement.signatures.json");
            var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(signatures))!;
            var list = json["signatures"]!.AsArray();
            var om = list.First(s => s!["organisation"]!.GetValue<string>() == "om")!;
            list.Remove(om);
            await File.WriteAllTextAsync(signatures, json.ToJsonString());

            var serve = await ChaingwProcess.RunAsync(TimeSpan.FromMinutes(1), "serve", "--config", Path.Combine(root, "politie"));
            Assert.Equal(2, serve.ExitCode);
            Assert.Contains("om", serve.Output, StringComparison.Ordinal);
            Assert.Contains("signature", serve.Output, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
