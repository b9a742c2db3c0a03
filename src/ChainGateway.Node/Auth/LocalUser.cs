namespace ChainGateway.Node.Auth;

/// <summary>The authenticated user of a local API call: who (the token's subject) and which roles.</summary>
public sealed record LocalUser(string Subject, IReadOnlyCollection<string> Roles)
{
    public const string Caseworker = "caseworker";
    public const string PrivacyOfficer = "privacy-officer";
    public const string Operator = "operator";

    /// <summary>When the token it came with expires (null when unknown): an open stream serves the user until then.</summary>
    public DateTimeOffset? Expires { get; init; }
}
