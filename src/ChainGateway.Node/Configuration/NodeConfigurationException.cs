namespace ChainGateway.Node.Configuration;

/// <summary>Every problem found in a node's configuration, reported at once (STYLE.md, YARP's ConfigValidator).</summary>
public sealed class NodeConfigurationException(string source, IReadOnlyList<string> problems)
    : Exception($"{source}: {problems.Count} problem(s):{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}")
{
    public string ConfigurationFile { get; } = source;

    public IReadOnlyList<string> Problems { get; } = problems;
}
