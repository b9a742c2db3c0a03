using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChainGateway.Node.Configuration;

/// <summary>
/// A node's configuration file (node.json in the config directory; schema in docs/node-config.schema.json).
/// Relative paths are relative to the directory of the file.
/// </summary>
public sealed class NodeConfiguration
{
    [JsonPropertyName("organisation")]
    public string Organisation { get; set; } = string.Empty;

    [JsonPropertyName("peer")]
    public EndpointSettings Peer { get; set; } = new();

    [JsonPropertyName("local")]
    public EndpointSettings Local { get; set; } = new();

    [JsonPropertyName("store")]
    public StoreSettings Store { get; set; } = new();

    [JsonPropertyName("trustList")]
    public string TrustList { get; set; } = string.Empty;

    [JsonPropertyName("agreement")]
    public string Agreement { get; set; } = string.Empty;

    [JsonPropertyName("agreementSignatures")]
    public string AgreementSignatures { get; set; } = string.Empty;

    [JsonPropertyName("federationCa")]
    public string FederationCa { get; set; } = string.Empty;

    [JsonPropertyName("tls")]
    public TlsSettings Tls { get; set; } = new();

    [JsonPropertyName("keys")]
    public string Keys { get; set; } = string.Empty;

    [JsonPropertyName("jwt")]
    public JwtSettings Jwt { get; set; } = new();

    [JsonPropertyName("limits")]
    public LimitSettings Limits { get; set; } = new();

    [JsonPropertyName("delivery")]
    public DeliverySettings Delivery { get; set; } = new();

    [JsonPropertyName("sharingLog")]
    public SharingLogSettings SharingLog { get; set; } = new();

    [JsonPropertyName("measureReminders")]
    public MeasureReminderSettings MeasureReminders { get; set; } = new();

    [JsonPropertyName("match")]
    public MatchSettings Match { get; set; } = new();

    /// <summary>The directory relative paths are resolved against.</summary>
    [JsonIgnore]
    public string BaseDirectory { get; set; } = ".";

    /// <summary>The file this configuration was read from, for error messages.</summary>
    [JsonIgnore]
    public string Source { get; set; } = "node.json";

    public string Resolve(string path) => System.IO.Path.GetFullPath(path, BaseDirectory);

    public static NodeConfiguration Load(string configDirectory)
    {
        var file = Path.Combine(configDirectory, "node.json");
        if (!File.Exists(file))
        {
            throw new NodeConfigurationException(file, [$"no node.json in '{Path.GetFullPath(configDirectory)}'"]);
        }
        NodeConfiguration? config;
        try
        {
            config = JsonSerializer.Deserialize(File.ReadAllBytes(file), NodeConfigurationJsonContext.Default.NodeConfiguration);
        }
        catch (JsonException e)
        {
            throw new NodeConfigurationException(file, [$"not valid JSON: {e.Message}"]);
        }
        config ??= new NodeConfiguration();
        config.BaseDirectory = Path.GetFullPath(configDirectory);
        config.Source = file;
        return config;
    }

    public void Save(string configDirectory)
    {
        Directory.CreateDirectory(configDirectory);
        File.WriteAllBytes(Path.Combine(configDirectory, "node.json"),
            JsonSerializer.SerializeToUtf8Bytes(this, NodeConfigurationJsonContext.Default.NodeConfiguration));
    }
}

public sealed class EndpointSettings
{
    /// <summary>host:port to listen on, e.g. 127.0.0.1:7101.</summary>
    [JsonPropertyName("listen")]
    public string Listen { get; set; } = string.Empty;
}

public sealed class StoreSettings
{
    /// <summary>The SQLite file of the embedded store.</summary>
    [JsonPropertyName("path")]
    public string Path { get; set; } = "node.db";
}

public sealed class TlsSettings
{
    [JsonPropertyName("certificate")]
    public string Certificate { get; set; } = string.Empty;

    [JsonPropertyName("key")]
    public string Key { get; set; } = string.Empty;
}

public sealed class JwtSettings
{
    [JsonPropertyName("issuer")]
    public string Issuer { get; set; } = string.Empty;

    [JsonPropertyName("audience")]
    public string Audience { get; set; } = string.Empty;

    /// <summary>PEM file with the identity provider's ECDSA P-256 public key (ES256).</summary>
    [JsonPropertyName("signingKey")]
    public string SigningKey { get; set; } = string.Empty;
}

public sealed class LimitSettings
{
    [JsonPropertyName("maxEnvelopeBytes")]
    public int MaxEnvelopeBytes { get; set; } = 64 * 1024;

    [JsonPropertyName("maxClockSkewSeconds")]
    public int MaxClockSkewSeconds { get; set; } = 300;

    [JsonPropertyName("envelopeLifetimeHours")]
    public int EnvelopeLifetimeHours { get; set; } = 72;
}

public sealed class SharingLogSettings
{
    /// <summary>How often the node signs a checkpoint of its sharing log (when it grew).</summary>
    [JsonPropertyName("checkpointSeconds")]
    public int CheckpointSeconds { get; set; } = 60;

    /// <summary>How often the node deletes received bodies whose retention ended.</summary>
    [JsonPropertyName("purgeSeconds")]
    public int PurgeSeconds { get; set; } = 3600;

    /// <summary>How often the node, as its partners' witness, fetches, checks and cosigns their latest checkpoints.</summary>
    [JsonPropertyName("witnessSeconds")]
    public int WitnessSeconds { get; set; } = 60;
}

public sealed class MeasureReminderSettings
{
    /// <summary>Days before a measure's last day on which its imposer sends MeasureExpiring (each lead time once).</summary>
    [JsonPropertyName("leadDays")]
    public IList<int> LeadDays { get; set; } = [14, 3];

    /// <summary>Longest time between two looks for due reminders (the node also wakes when the next one falls due).</summary>
    [JsonPropertyName("checkSeconds")]
    public int CheckSeconds { get; set; } = 300;
}

public sealed class DeliverySettings
{
    /// <summary>Envelopes in flight per partner at once.</summary>
    [JsonPropertyName("maxInFlight")]
    public int MaxInFlight { get; set; } = 32;

    /// <summary>Longest wait between attempts to a partner that is down.</summary>
    [JsonPropertyName("maxBackoffSeconds")]
    public int MaxBackoffSeconds { get; set; } = 300;

    /// <summary>Time allowed for one Deliver call.</summary>
    [JsonPropertyName("attemptTimeoutSeconds")]
    public int AttemptTimeoutSeconds { get; set; } = 10;
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(NodeConfiguration))]
internal sealed partial class NodeConfigurationJsonContext : JsonSerializerContext;
