namespace ChainGateway.Core.SharingLog;

/// <summary>Receives stored log entries as canonical bytes (<see cref="LogEntryBytesWriter"/>), in index order.</summary>
public interface ILogEntryBytesVisitor
{
    /// <summary>
    /// One stored entry: its index, its canonical bytes (null if a stored field cannot be encoded, e.g. an unknown
    /// event name or a message id that is not 16 bytes) and its stored leaf hash. Return false to stop the scan.
    /// The writer and the span are only valid during the call.
    /// </summary>
    bool Visit(long index, LogEntryBytesWriter? entry, ReadOnlySpan<byte> storedLeafHash);
}
