namespace ChainGateway.Core.SharingLog;

/// <summary>
/// One signature line of a C2SP signed note: <c>— &lt;key name&gt; base64(key ID || signature)</c>. Parsed, not
/// verified: only <see cref="SignedNote.Verify"/> says whether it is good.
/// </summary>
/// <param name="KeyName">The key name on the line.</param>
/// <param name="KeyId">The big-endian uint32 that opens the signature blob.</param>
/// <param name="Signature">The bytes after the key ID (64 for Ed25519).</param>
public sealed record NoteSignature(string KeyName, uint KeyId, byte[] Signature);
