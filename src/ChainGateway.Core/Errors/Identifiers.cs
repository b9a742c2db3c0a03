namespace ChainGateway.Core.Errors;

/// <summary>
/// The identifiers a case system passes in (purposes, organisation ids) before anything is checked or logged: present,
/// at most <see cref="MaxLength"/> characters, none of them a control character. They are echoed in errors, their
/// ErrorInfo metadata and the sharing log's Denied entries; without a bound, one request could put megabytes into the
/// append-only log and trailers larger than a client accepts (a gRPC client refuses headers over 64 KiB).
/// </summary>
public static class Identifiers
{
    /// <summary>Far above any id of the agreement (the longest demo purpose has 28 characters).</summary>
    public const int MaxLength = 128;

    public static void Require(string? value, string field, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            ChainGatewayException.Throw(ReasonCode.Malformed, $"a {what} is required", field);
        }
        if (value.Length > MaxLength || value.Any(char.IsControl))
        {
            ChainGatewayException.Throw(ReasonCode.Malformed,
                $"a {what} has at most {MaxLength} characters and no control characters (this one: {value.Length} characters)", field);
        }
    }

    /// <summary>A value to quote in an error message: itself when short and printable, else only its length.</summary>
    public static string Quote(string value) =>
        value.Length <= 64 && !value.Any(char.IsControl) ? $"'{value}'" : $"a value of {value.Length} characters";
}
