using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChainGateway.Core.Tests;

/// <summary>
/// The independent HPKE implementation we cross-check against: hpke-js (tests/interop/hpke-js), run with node.
/// test.sh installs node and the package when missing.
/// </summary>
public static class HpkeJs
{
    public static string Directory
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ChainGateway.sln")))
            {
                dir = dir.Parent;
            }
            return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "tests", "interop", "hpke-js");
        }
    }

    public static JsonArray Run(JsonArray operations)
    {
        var start = new ProcessStartInfo("node", "hpke.mjs")
        {
            WorkingDirectory = Directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        process.StandardInput.Write(operations.ToJsonString());
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"hpke-js failed: {error}");
        return JsonNode.Parse(output)!.AsArray();
    }

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    public static byte[] Bytes(JsonNode? node) => Convert.FromHexString(node!.GetValue<string>());

    public static JsonSerializerOptions Options { get; } = new();
}
