using ChainGateway.Core.Errors;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace ChainGateway.Node.Errors;

/// <summary>
/// The ONE place where a reason code becomes a gRPC status (DESIGN.md §10): a google.rpc.Status with an
/// ErrorInfo detail (domain "chaingateway", the reason, metadata) and, for a bad field, a BadRequest
/// field violation. Clients read it with <c>RpcException.GetRpcStatus()</c>.
/// </summary>
public static class ErrorMapping
{
    public static StatusCode ToStatusCode(ReasonCode reason) => reason switch
    {
        ReasonCode.Malformed => StatusCode.InvalidArgument,
        ReasonCode.TooLarge => StatusCode.ResourceExhausted,
        ReasonCode.UnknownPartner => StatusCode.PermissionDenied,
        ReasonCode.SenderMismatch => StatusCode.PermissionDenied,
        ReasonCode.BadSignature => StatusCode.Unauthenticated,
        ReasonCode.UnknownKey => StatusCode.FailedPrecondition,
        ReasonCode.DecryptFailed => StatusCode.InvalidArgument,
        ReasonCode.Replayed => StatusCode.AlreadyExists,
        ReasonCode.Expired => StatusCode.FailedPrecondition,
        ReasonCode.ClockSkew => StatusCode.FailedPrecondition,
        ReasonCode.AgreementMismatch => StatusCode.FailedPrecondition,
        ReasonCode.RuleDenied => StatusCode.PermissionDenied,
        ReasonCode.FieldNotAllowed => StatusCode.PermissionDenied,
        ReasonCode.RoleRequired => StatusCode.PermissionDenied,
        ReasonCode.RateLimited => StatusCode.ResourceExhausted,
        ReasonCode.Unauthenticated => StatusCode.Unauthenticated,
        ReasonCode.UnknownMessage => StatusCode.NotFound,
        _ => StatusCode.Internal,
    };

    public static RpcException ToRpcException(ChainGatewayException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var info = new ErrorInfo { Reason = error.Reason.ToWire(), Domain = ReasonCodes.Domain };
        foreach (var (key, value) in error.Metadata)
        {
            info.Metadata[key] = value;
        }
        if (error.FieldPath is not null)
        {
            info.Metadata["field"] = error.FieldPath;
        }
        var status = new Google.Rpc.Status
        {
            Code = (int)ToStatusCode(error.Reason),
            Message = error.Message,
            Details = { Any.Pack(info) },
        };
        if (error.FieldPath is not null)
        {
            status.Details.Add(Any.Pack(new BadRequest
            {
                FieldViolations = { new BadRequest.Types.FieldViolation { Field = error.FieldPath, Description = error.Message } },
            }));
        }
        return status.ToRpcException();
    }

    /// <summary>The reason code a peer or node put in an RpcException, if any.</summary>
    public static ReasonCode? ReasonOf(RpcException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var info = exception.GetRpcStatus()?.GetDetail<ErrorInfo>();
        return info is not null && info.Domain == ReasonCodes.Domain && ReasonCodes.TryParse(info.Reason, out var code) ? code : null;
    }
}
