using System.Text.Json.Serialization;

namespace ChainGateway.Node.Configuration;

/// <summary>
/// Subject matching (node.json <c>match</c>): token-bucket rate limits, so the match service is no enumeration
/// oracle (DESIGN.md §6), and the index builder's pace.
/// </summary>
public sealed class MatchSettings
{
    /// <summary>Questions per minute one partner may ask this node (and this node may ask one partner).</summary>
    [JsonPropertyName("perPartnerPerMinute")]
    public double PerPartnerPerMinute { get; set; } = 600;

    /// <summary>Questions a partner may ask at once before the per-minute rate applies.</summary>
    [JsonPropertyName("perPartnerBurst")]
    public int PerPartnerBurst { get; set; } = 100;

    /// <summary>Match calls per minute one local user may make.</summary>
    [JsonPropertyName("perUserPerMinute")]
    public double PerUserPerMinute { get; set; } = 60;

    /// <summary>Match calls one local user may make at once before the per-minute rate applies.</summary>
    [JsonPropertyName("perUserBurst")]
    public int PerUserBurst { get; set; } = 20;

    /// <summary>Subjects per write while the index is built for a new pseudonym key.</summary>
    [JsonPropertyName("indexBatch")]
    public int IndexBatch { get; set; } = 5000;

    /// <summary>How often the node checks whether a pseudonym key rotation needs an index build.</summary>
    [JsonPropertyName("indexCheckSeconds")]
    public int IndexCheckSeconds { get; set; } = 60;

    /// <summary>Time allowed for one partner's answer.</summary>
    [JsonPropertyName("answerTimeoutSeconds")]
    public int AnswerTimeoutSeconds { get; set; } = 10;
}
