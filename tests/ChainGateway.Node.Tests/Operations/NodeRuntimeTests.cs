using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;

namespace ChainGateway.Node.Tests.Operations;

/// <summary>The runtime settings a node starts with are the same in the systemd unit and in what the demo and the harness pass on.</summary>
public sealed class NodeRuntimeTests
{
    [Fact]
    public void TheSystemdUnit_SetsEveryVariableOfTheServiceEnvironment_WithTheSameValue()
    {
        var unit = File.ReadAllLines(Path.Combine(RepositoryRoot(), "deploy", "systemd", "chaingateway@.service"));
        var set = unit
            .Where(line => line.StartsWith("Environment=", StringComparison.Ordinal))
            .Select(line => line["Environment=".Length..].Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);

        Assert.NotEmpty(NodeRuntime.ServiceEnvironment);
        foreach (var (key, value) in NodeRuntime.ServiceEnvironment)
        {
            Assert.True(set.TryGetValue(key, out var inUnit), $"the unit does not set {key}");
            Assert.Equal(value, inUnit);
        }
    }

    [Fact]
    public void ApplyTo_AddsTheSettings_ButKeepsAValueTheOperatorSet()
    {
        var fresh = new Dictionary<string, string?>(StringComparer.Ordinal) { ["PATH"] = "/usr/bin" };
        NodeRuntime.ApplyTo(fresh);
        Assert.Equal("0x600000", fresh["DOTNET_GCgen0size"]);
        Assert.Equal("/usr/bin", fresh["PATH"]);

        var chosen = new Dictionary<string, string?>(StringComparer.Ordinal) { ["DOTNET_GCgen0size"] = "0x1000000" };
        NodeRuntime.ApplyTo(chosen);
        Assert.Equal("0x1000000", chosen["DOTNET_GCgen0size"]);
    }

    [Fact]
    public void AService_RunsWithoutTheFrameworksPrecompiledCode_TheDemosNodesWithIt()
    {
        var asService = new Dictionary<string, string?>(StringComparer.Ordinal);
        NodeRuntime.ApplyTo(asService, service: true);
        Assert.Equal("0", asService["DOTNET_ReadyToRun"]);
        Assert.Equal("0x600000", asService["DOTNET_GCgen0size"]);

        // The demo starts eight nodes at once: compiling the framework's code for each would double its start (13 -> 25 s).
        var demo = new Dictionary<string, string?>(StringComparer.Ordinal);
        NodeRuntime.ApplyTo(demo);
        Assert.False(demo.ContainsKey("DOTNET_ReadyToRun"));
        Assert.Equal("0x600000", demo["DOTNET_GCgen0size"]);

        // Every variable of a node applies to a service too.
        Assert.All(NodeRuntime.Environment, pair => Assert.Equal(pair.Value, NodeRuntime.ServiceEnvironment[pair.Key]));
    }

    [Fact]
    public void NotSet_NamesEachServiceSettingTheEnvironmentLacks_ButNotOneTheOperatorSetOtherwise()
    {
        Assert.Equal(["DOTNET_GCgen0size=0x600000", "DOTNET_ReadyToRun=0"], NodeRuntime.NotSet(_ => null));
        Assert.Equal(["DOTNET_ReadyToRun=0"], NodeRuntime.NotSet(name => name == "DOTNET_GCgen0size" ? "0x1000000" : ""));
        Assert.Empty(NodeRuntime.NotSet(name => NodeRuntime.ServiceEnvironment[name]));
    }

    [Fact]
    public async Task ANodeStarted_SaysWhichServiceSettingsItRunsWithout_AsThisProcessHasThem()
    {
        await using var federation = TestFederation.Create();
        await federation.StartAsync("om");
        var notSet = NodeRuntime.NotSet(Environment.GetEnvironmentVariable);
        await federation.Logs.WaitForAsync(e => e.EventId.Name == "NodeStarted", TimeSpan.FromSeconds(30));

        var notes = federation.Logs.Events.Where(e => e.EventId.Name == "RuntimeSettingsNotSet").ToList();
        if (notSet.Count == 0)
        {
            Assert.Empty(notes);
            return;
        }
        var note = Assert.Single(notes);
        Assert.Equal(1018, note.EventId.Id);
        Assert.All(notSet, setting => Assert.Contains(setting, note.Message, StringComparison.Ordinal));
        Assert.Contains("docs/operations.md", note.Message, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ChainGateway.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("ChainGateway.sln not found above " + AppContext.BaseDirectory);
    }
}
