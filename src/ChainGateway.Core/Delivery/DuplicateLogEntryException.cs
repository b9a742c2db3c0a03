namespace ChainGateway.Core.Delivery;

/// <summary>
/// The store refused a log entry that may exist only once: an answered match query's id, per asking partner (a second
/// answer to the same signed query would be a replay). Nothing was appended.
/// </summary>
public sealed class DuplicateLogEntryException : Exception
{
    public DuplicateLogEntryException()
    {
    }

    public DuplicateLogEntryException(string message)
        : base(message)
    {
    }

    public DuplicateLogEntryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
