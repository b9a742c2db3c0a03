using System.Text.RegularExpressions;
using ChainGateway.Core.Errors;

namespace ChainGateway.Core.Subjects;

/// <summary>A subject as this organisation identifies it: a BSN or its own local id. Never on the wire.</summary>
public sealed partial record SubjectId
{
    private SubjectId(string kind, string value)
    {
        Kind = kind;
        Value = value;
    }

    public string Kind { get; }

    public string Value { get; }

    /// <summary>A BSN subject; MALFORMED at <paramref name="fieldPath"/> when it fails the 11-check.</summary>
    public static SubjectId Bsn(string value, string fieldPath)
    {
        var normalised = Subjects.Bsn.Normalise(value)
            ?? throw new ChainGatewayException(ReasonCode.Malformed, "not a valid BSN: 9 digits that pass the 11-check (elfproef) are required", fieldPath);
        return new SubjectId("bsn", normalised);
    }

    /// <summary>A local-id subject; MALFORMED at <paramref name="fieldPath"/> unless it matches [A-Za-z0-9._-]{1,64}.</summary>
    public static SubjectId Local(string value, string fieldPath)
    {
        if (value is null || !LocalIdPattern().IsMatch(value))
        {
            throw new ChainGatewayException(ReasonCode.Malformed, "a local id is 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'", fieldPath);
        }
        return new SubjectId("local", value);
    }

    /// <summary>Parses <see cref="ToCanonicalString"/> output ("bsn:…" or "local:…"); null when it is neither.</summary>
    public static SubjectId? FromCanonical(string canonical)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        var colon = canonical.IndexOf(':', StringComparison.Ordinal);
        var (kind, value) = colon < 0 ? (string.Empty, string.Empty) : (canonical[..colon], canonical[(colon + 1)..]);
        return kind switch
        {
            "bsn" when Subjects.Bsn.Normalise(value) == value => new SubjectId(kind, value),
            "local" when LocalIdPattern().IsMatch(value) => new SubjectId(kind, value),
            _ => null,
        };
    }

    /// <summary>The input of the pseudonym's HMAC (DESIGN.md §6): "bsn:" || digits, or "local:" || id.</summary>
    public string ToCanonicalString() => Kind + ":" + Value;

    public override string ToString() => Kind + ":***";

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex LocalIdPattern();
}
