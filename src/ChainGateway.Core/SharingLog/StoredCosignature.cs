namespace ChainGateway.Core.SharingLog;

/// <summary>A partner's cosignature (C2SP tlog-cosignature line) of our checkpoint at <paramref name="Size"/>.</summary>
/// <param name="Size">The size of our checkpoint it cosigns.</param>
/// <param name="Witness">The organisation that cosigned.</param>
/// <param name="Timestamp">The cosignature's POSIX timestamp.</param>
/// <param name="Line">The signature line, with its newline.</param>
public sealed record StoredCosignature(long Size, string Witness, long Timestamp, string Line);

/// <summary>A partner's checkpoint this node verified (signature, consistency) and cosigned as its witness.</summary>
/// <param name="Partner">The log's organisation.</param>
/// <param name="Size">The checkpoint's tree size.</param>
/// <param name="Root">Its root hash.</param>
/// <param name="Note">The partner's signed note as fetched.</param>
/// <param name="CosignedAt">When this node cosigned it.</param>
public sealed record WitnessedCheckpoint(string Partner, long Size, byte[] Root, string Note, DateTimeOffset CosignedAt);
