using ChainGateway.Node.Hosting;
using ChainGateway.Node.Tests.Infrastructure;

namespace ChainGateway.Node.Tests.Operations;

/// <summary>The runtime settings a node starts with: the systemd unit and the harness set those of a service, the demo those of every node; a node says which it lacks.</summary>
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
        // The runtime's older prefix sets a variable too.
        Assert.Equal(["DOTNET_GCgen0size=0x600000"], NodeRuntime.NotSet(name => name == "COMPlus_ReadyToRun" ? "0" : null));
    }

    [Fact]
    public async Task ANodeStartedWithoutTheServiceSettings_SaysOnceWhichAreNotSet()
    {
        await using var federation = TestFederation.Create();
        await federation.StartAsync("om", environment: name => name == "DOTNET_GCgen0size" ? "0x600000" : null);

        var note = Assert.Single(federation.Logs.Events, e => e.EventId.Name == "RuntimeSettingsNotSet");
        Assert.Equal(1018, note.EventId.Id);
        Assert.Contains("not set: DOTNET_ReadyToRun=0.", note.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("DOTNET_GCgen0size", note.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANodeStartedWithTheServiceSettings_SaysNothingOfThem()
    {
        await using var federation = TestFederation.Create();
        await federation.StartAsync("om", environment: name => NodeRuntime.ServiceEnvironment.GetValueOrDefault(name));

        Assert.Contains(federation.Logs.Events, e => e.EventId.Name == "NodeStarted");
        Assert.DoesNotContain(federation.Logs.Events, e => e.EventId.Name == "RuntimeSettingsNotSet");
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
