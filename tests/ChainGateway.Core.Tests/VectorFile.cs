namespace ChainGateway.Core.Tests;

/// <summary>Reads our test-vector files: "# comment" lines, then "name: value" lines (hex unless said otherwise).</summary>
public sealed class VectorFile
{
    private readonly Dictionary<string, string> values;

    private VectorFile(Dictionary<string, string> values) => this.values = values;

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Vectors", name);

    public static VectorFile Load(string name) => Parse(File.ReadAllLines(PathOf(name)));

    public static VectorFile Parse(IEnumerable<string> lines)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            values[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return new VectorFile(values);
    }

    public string Text(string name) => values[name];

    public byte[] Hex(string name) => Convert.FromHexString(values[name]);

    public bool Has(string name) => values.ContainsKey(name);
}
