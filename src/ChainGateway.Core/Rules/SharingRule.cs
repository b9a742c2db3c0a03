using System.Text.Json.Serialization;

namespace ChainGateway.Core.Rules;

/// <summary>
/// One rule of the agreement (DESIGN.md §5): who may share which signal types with whom, for which purpose, on
/// which legal basis, with which fields, kept how long, by users with which role.
/// </summary>
public sealed record SharingRule
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    /// <summary>The processing activity (a URI in the processing register; Logboek Dataverwerkingen).</summary>
    [JsonPropertyName("processingActivity")]
    public required string ProcessingActivity { get; init; }

    [JsonPropertyName("from")]
    public required IReadOnlyList<string> From { get; init; }

    [JsonPropertyName("to")]
    public required IReadOnlyList<string> To { get; init; }

    [JsonPropertyName("signalTypes")]
    public required IReadOnlyList<string> SignalTypes { get; init; }

    [JsonPropertyName("purpose")]
    public required string Purpose { get; init; }

    [JsonPropertyName("legalBasis")]
    public required string LegalBasis { get; init; }

    /// <summary>Protobuf field paths relative to chaingateway.v1.Signal, e.g. <c>risk_assessed.level</c>.</summary>
    [JsonPropertyName("allowedFields")]
    public required IReadOnlyList<string> AllowedFields { get; init; }

    [JsonPropertyName("retentionDays")]
    public required int RetentionDays { get; init; }

    [JsonPropertyName("requiredRole")]
    public required string RequiredRole { get; init; }

    [JsonPropertyName("conditions")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RuleConditions? Conditions { get; init; }
}

/// <summary>Optional conditions on a signal's content.</summary>
public sealed record RuleConditions
{
    /// <summary>RiskAssessed only: the level must be at least this (low, medium, high, acute).</summary>
    [JsonPropertyName("minimumRiskLevel")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MinimumRiskLevel { get; init; }
}
