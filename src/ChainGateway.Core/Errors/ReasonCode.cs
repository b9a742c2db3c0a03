namespace ChainGateway.Core.Errors;

/// <summary>
/// The stable reason codes of DESIGN.md §10. Every rejection carries exactly one of them, as the
/// <c>reason</c> of a <c>google.rpc.ErrorInfo</c> in domain <c>chaingateway</c>. Names are part of the
/// wire contract: never rename a member.
/// </summary>
public enum ReasonCode
{
    /// <summary>The request or envelope does not parse or fails validation (a field path says where).</summary>
    Malformed,

    /// <summary>The envelope exceeds the node's size limit.</summary>
    TooLarge,

    /// <summary>The peer's certificate names an organisation that is not in the trust list.</summary>
    UnknownPartner,

    /// <summary>The envelope's sender differs from the organisation of the peer's certificate.</summary>
    SenderMismatch,

    /// <summary>The envelope or receipt signature does not verify with the sender's listed key.</summary>
    BadSignature,

    /// <summary>A key thumbprint in the header names no key that is valid now.</summary>
    UnknownKey,

    /// <summary>The signature verified but HPKE could not open the ciphertext.</summary>
    DecryptFailed,

    /// <summary>A message id that was already used with a different envelope.</summary>
    Replayed,

    /// <summary>The envelope is past its expires-at.</summary>
    Expired,

    /// <summary>The envelope's created-at is outside the allowed clock skew.</summary>
    ClockSkew,

    /// <summary>The header's agreement hash differs from the receiver's agreement.</summary>
    AgreementMismatch,

    /// <summary>No sharing rule of the agreement allows this exchange (default deny).</summary>
    RuleDenied,

    /// <summary>The signal carries a field that its rule does not allow.</summary>
    FieldNotAllowed,

    /// <summary>The user's token lacks the role the operation or rule requires.</summary>
    RoleRequired,

    /// <summary>Too many requests; retry after the interval given in the metadata.</summary>
    RateLimited,

    /// <summary>No valid credentials: missing, expired or wrongly signed token, or wrong audience.</summary>
    Unauthenticated,

    /// <summary>The message id names no message this node sent (GetDeliveryStatus).</summary>
    UnknownMessage,
}
