namespace ChainGateway.Core.Delivery;

/// <summary>
/// The store already holds a checkpoint of this size with another root: the log was changed under a checkpoint signed
/// before, and a second, contradicting one must not take its place silently. Nothing was stored.
/// </summary>
public sealed class CheckpointConflictException : Exception
{
    public CheckpointConflictException()
    {
    }

    public CheckpointConflictException(string message)
        : base(message)
    {
    }

    public CheckpointConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
