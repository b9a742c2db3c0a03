using System.Diagnostics.CodeAnalysis;

namespace ChainGateway.Core.Errors;

/// <summary>
/// A rejection with a stable reason code. The node maps it, in one place, to a gRPC status with a
/// <c>google.rpc.ErrorInfo</c> detail; <see cref="FieldPath"/> adds a <c>BadRequest.FieldViolation</c>.
/// </summary>
public sealed class ChainGatewayException : Exception
{
    public ChainGatewayException(ReasonCode reason, string message, string? fieldPath = null,
        IReadOnlyDictionary<string, string>? metadata = null)
        : base(message)
    {
        Reason = reason;
        FieldPath = fieldPath;
        Metadata = metadata ?? new Dictionary<string, string>();
    }

    public ReasonCode Reason { get; }

    /// <summary>The protobuf field path of a bad field, e.g. <c>signal.risk_assessed.level</c>.</summary>
    public string? FieldPath { get; }

    /// <summary>ErrorInfo metadata, e.g. <c>rule_id</c>, <c>partner</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    [DoesNotReturn]
    public static void Throw(ReasonCode reason, string message, string? fieldPath = null,
        IReadOnlyDictionary<string, string>? metadata = null) =>
        throw new ChainGatewayException(reason, message, fieldPath, metadata);
}
