namespace ChainGateway.Node.Witness;

/// <summary>Why a witness refused to cosign a partner's checkpoint; written as SCREAMING_SNAKE_CASE in the sharing log.</summary>
public enum WitnessRefusal
{
    /// <summary>The note is malformed, its origin is not the partner's, or no listed signing key of the partner verifies it.</summary>
    BadCheckpoint,

    /// <summary>The partner's hash tiles do not hash to the root its checkpoint signs.</summary>
    TilesMismatch,

    /// <summary>The checkpoint is not an append-only extension of the one cosigned before (a forked or rewritten log).</summary>
    LogForked,

    /// <summary>The checkpoint is smaller than one cosigned before (the log went back in time).</summary>
    RolledBack,
}

/// <summary>The outcome of witnessing one partner once.</summary>
/// <param name="Partner">The partner whose log was checked.</param>
/// <param name="Size">The size of the checkpoint it served (0 if none could be read).</param>
/// <param name="Refusal">Why it was refused, or null when cosigned.</param>
/// <param name="Detail">What was found.</param>
public sealed record WitnessResult(string Partner, long Size, WitnessRefusal? Refusal, string Detail)
{
    public bool Cosigned => Refusal is null;

    /// <summary>The reason code as the sharing log writes it, e.g. LOG_FORKED.</summary>
    public static string Code(WitnessRefusal refusal) => refusal switch
    {
        WitnessRefusal.BadCheckpoint => "BAD_CHECKPOINT",
        WitnessRefusal.TilesMismatch => "TILES_MISMATCH",
        WitnessRefusal.LogForked => "LOG_FORKED",
        WitnessRefusal.RolledBack => "ROLLED_BACK",
        _ => throw new ArgumentOutOfRangeException(nameof(refusal)),
    };
}
