using ChainGateway.Cli;

namespace ChainGateway.EndToEnd.Tests;

public sealed class DeploymentTests
{
    [Fact]
    public void SystemdUnit_RunsTheNodeWithTheSameRuntimeSettings_AsTheDemoAndTheBenchmark()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ChainGateway.sln")))
        {
            directory = directory.Parent;
        }
        Assert.NotNull(directory);
        var unit = File.ReadAllLines(Path.Combine(directory.FullName, "deploy", "systemd", "chaingateway@.service"));
        var set = unit.Where(line => line.StartsWith("Environment=", StringComparison.Ordinal)).Select(line => line["Environment=".Length..]).ToList();

        Assert.NotEmpty(NodeRuntime.Environment);
        Assert.Equal(NodeRuntime.Environment.Select(e => $"{e.Key}={e.Value}").Order(StringComparer.Ordinal), set.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void NodeRuntime_SetsItsVariablesOnAChildProcess()
    {
        var start = NodeRuntime.Apply(new System.Diagnostics.ProcessStartInfo("dotnet"));
        foreach (var (name, value) in NodeRuntime.Environment)
        {
            // The operator's own value wins; none is set where the tests run.
            Assert.Equal(Environment.GetEnvironmentVariable(name) is { Length: > 0 } chosen ? chosen : value, start.Environment[name]);
        }
    }
}
