using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ChainGateway.Contracts.V1;
using Google.Protobuf.Reflection;

namespace ChainGateway.Core.Rules;

/// <summary>
/// The sharing agreement (convenant), as data (DESIGN.md §5; schema docs/schemas/agreement.schema.json). Its hash —
/// SHA-256 of the canonical bytes — is in every envelope header. Canonical bytes: the agreement re-serialised as
/// UTF-8 JSON with the properties in declaration order, no whitespace, arrays in the order given, absent optional
/// values omitted; so the hash does not depend on the file's layout or key order.
/// </summary>
public sealed record Agreement
{
    [JsonPropertyName("federationId")]
    public required string FederationId { get; init; }

    [JsonPropertyName("version")]
    public required int Version { get; init; }

    [JsonPropertyName("title")]
    public required string Title { get; init; }

    [JsonPropertyName("parties")]
    public required IReadOnlyList<string> Parties { get; init; }

    [JsonPropertyName("rules")]
    public required IReadOnlyList<SharingRule> Rules { get; init; }

    /// <summary>Parses and validates; throws <see cref="InvalidDataException"/> listing every problem.</summary>
    public static Agreement Parse(string json)
    {
        Agreement? agreement;
        try
        {
            agreement = JsonSerializer.Deserialize(json, AgreementJson.Default.Agreement);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the agreement is not valid: {e.Message}", e);
        }
        if (agreement is null)
        {
            throw new InvalidDataException("the agreement is empty");
        }
        var problems = agreement.Validate();
        if (problems.Count > 0)
        {
            throw new InvalidDataException($"the agreement has {problems.Count} problem(s): {string.Join("; ", problems)}");
        }
        return agreement;
    }

    public byte[] CanonicalBytes() => JsonSerializer.SerializeToUtf8Bytes(this, AgreementJson.Default.Agreement);

    public byte[] Hash() => SHA256.HashData(CanonicalBytes());

    private List<string> Validate()
    {
        var problems = new List<string>();
        if (Parties.Count == 0)
        {
            problems.Add("no parties");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in Rules)
        {
            var where = $"rule '{rule.Id}'";
            if (!ids.Add(rule.Id))
            {
                problems.Add($"{where}: duplicate id");
            }
            foreach (var org in rule.From.Concat(rule.To).Where(o => !Parties.Contains(o)))
            {
                problems.Add($"{where}: '{org}' is not a party");
            }
            if (rule.From.Count == 0 || rule.To.Count == 0)
            {
                problems.Add($"{where}: from and to must each name at least one party");
            }
            if (rule.SignalTypes.Count == 0)
            {
                problems.Add($"{where}: no signal types");
            }
            foreach (var type in rule.SignalTypes.Where(t => !Signals.SignalTypes.Known.Contains(t)))
            {
                problems.Add($"{where}: unknown signal type '{type}'");
            }
            // A SubjectKnown rule governs the match question alone; its fields are those of the answer's contact point.
            var match = rule.SignalTypes.Contains(Signals.SignalTypes.SubjectKnown);
            if (match && rule.SignalTypes.Count > 1)
            {
                problems.Add($"{where}: SubjectKnown cannot share a rule with other signal types");
            }
            var fieldsOf = match ? ContactPoint.Descriptor : Signal.Descriptor;
            foreach (var path in rule.AllowedFields.Where(p => !IsFieldPath(fieldsOf, p)))
            {
                problems.Add($"{where}: '{path}' is not a field of {fieldsOf.FullName}");
            }
            if (rule.RetentionDays <= 0)
            {
                problems.Add($"{where}: retentionDays must be positive");
            }
            if (string.IsNullOrWhiteSpace(rule.Purpose) || string.IsNullOrWhiteSpace(rule.LegalBasis) || string.IsNullOrWhiteSpace(rule.ProcessingActivity))
            {
                problems.Add($"{where}: purpose, legalBasis and processingActivity are required");
            }
            if (string.IsNullOrWhiteSpace(rule.RequiredRole))
            {
                problems.Add($"{where}: requiredRole is required");
            }
            if (rule.Conditions?.MinimumRiskLevel is { } level)
            {
                if (RiskLevels.Parse(level) is null)
                {
                    problems.Add($"{where}: minimumRiskLevel '{level}' is not low, medium, high or acute");
                }
                // The receiver checks the condition on the minimised signal it received: without the level, or for any other
                // signal type, the rule would refuse at the receiver every signal it allows at the sender.
                if (rule.SignalTypes.Any(t => t != Signals.SignalTypes.RiskAssessed))
                {
                    problems.Add($"{where}: minimumRiskLevel applies to RiskAssessed only; the rule may name no other signal type");
                }
                if (!rule.AllowedFields.Any(f => f is "risk_assessed" or "risk_assessed.level"))
                {
                    problems.Add($"{where}: minimumRiskLevel needs 'risk_assessed.level' among allowedFields (the receiver checks it on what it received)");
                }
            }
        }
        return problems;
    }

    private static bool IsFieldPath(MessageDescriptor root, string path)
    {
        MessageDescriptor? message = root;
        foreach (var name in path.Split('.'))
        {
            var field = message?.FindFieldByName(name);
            if (field is null)
            {
                return false;
            }
            message = field.FieldType == FieldType.Message ? field.MessageType : null;
        }
        return true;
    }
}

[JsonSourceGenerationOptions(WriteIndented = false, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = false)]
[JsonSerializable(typeof(Agreement))]
internal sealed partial class AgreementJson : JsonSerializerContext;
