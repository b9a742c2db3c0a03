// C2SP tlog-cosignature (c2sp.org/tlog-cosignature), the Ed25519 "cosignature/v1" type: a witness's statement
// that, as of its timestamp, the checkpoint is the largest consistent tree head it has observed for the origin.
//
//   signature line = "— " <cosigner name> " " base64(key ID || timestamped_signature) "\n"
//   key ID         = SHA-256(<name> || "\n" || 0x04 || 32-byte Ed25519 public key)[:4]     (0x04: cosignature type)
//   timestamped_signature = be64 timestamp (POSIX seconds, ≤ 2^63-1) || Ed25519 signature (64 bytes)
//   signed message = "cosignature/v1\n" "time " <timestamp, ASCII decimal, no leading zeroes> "\n" <checkpoint body>
//
// The checkpoint body is the note text including its final newline, without signature lines. Our cosigner name
// is the witness organisation's own origin-like name, chaingateway/<org>. The type byte 0x04 and the
// "cosignature/v1" header keep a cosignature apart from the witness's own checkpoint signatures (type 0x01),
// though both use the organisation's one Ed25519 signing key.
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace ChainGateway.Core.SharingLog;

/// <summary>Ed25519 cosignature/v1 lines over a checkpoint (C2SP tlog-cosignature).</summary>
public static class Cosignature
{
    /// <summary>tlog-cosignature: the key-ID type byte of Ed25519 cosignatures.</summary>
    public const byte Ed25519CosignatureType = 0x04;

    private const string Header = "cosignature/v1\n";
    private const string LinePrefix = "\u2014 ";
    private const int BlobSize = 4 + 8 + 64;

    /// <summary>The cosigner key ID: SHA-256(name || "\n" || 0x04 || public key)[:4], big-endian.</summary>
    public static uint KeyId(string cosignerName, PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(cosignerName);
        ArgumentNullException.ThrowIfNull(key);
        var hash = SHA256.HashData([.. Encoding.UTF8.GetBytes(cosignerName), 0x0A, Ed25519CosignatureType, .. key.Export(KeyBlobFormat.RawPublicKey)]);
        return BinaryPrimitives.ReadUInt32BigEndian(hash);
    }

    /// <summary>The signed message: header line, time line, then the checkpoint body.</summary>
    public static byte[] Message(string checkpointBody, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(checkpointBody);
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        return Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Header}time {timestamp}\n{checkpointBody}"));
    }

    /// <summary>Cosigns <paramref name="checkpointBody"/> at <paramref name="timestamp"/>; returns the signature line with its newline.</summary>
    public static string Sign(string checkpointBody, string cosignerName, Key signingKey, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        if (!SignedNote.IsKeyName(cosignerName))
        {
            throw new ArgumentException("A cosigner name is a signed-note key name.", nameof(cosignerName));
        }
        if (signingKey.Algorithm is not Ed25519)
        {
            throw new ArgumentException("cosignature/v1 is Ed25519.", nameof(signingKey));
        }
        var blob = new byte[BlobSize];
        BinaryPrimitives.WriteUInt32BigEndian(blob, KeyId(cosignerName, signingKey.PublicKey));
        BinaryPrimitives.WriteInt64BigEndian(blob.AsSpan(4), timestamp);
        SignatureAlgorithm.Ed25519.Sign(signingKey, Message(checkpointBody, timestamp), blob.AsSpan(12));
        return $"{LinePrefix}{cosignerName} {Convert.ToBase64String(blob)}\n";
    }

    /// <summary>
    /// Verifies one cosignature line (with or without its newline) over <paramref name="checkpointBody"/> by
    /// <paramref name="cosignerName"/>/<paramref name="key"/>; returns its timestamp, or null if it is malformed,
    /// names another cosigner or key, or does not verify.
    /// </summary>
    public static long? Verify(string line, string checkpointBody, string cosignerName, PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(checkpointBody);
        ArgumentNullException.ThrowIfNull(key);
        if (key.Algorithm is not Ed25519 || !TryParse(line, out var name, out var blob) || !string.Equals(name, cosignerName, StringComparison.Ordinal)
            || blob.Length != BlobSize || BinaryPrimitives.ReadUInt32BigEndian(blob) != KeyId(cosignerName, key))
        {
            return null;
        }
        var timestamp = BinaryPrimitives.ReadInt64BigEndian(blob.AsSpan(4));
        if (timestamp < 0)
        {
            return null;
        }
        return SignatureAlgorithm.Ed25519.Verify(key, Message(checkpointBody, timestamp), blob.AsSpan(12)) ? timestamp : null;
    }

    /// <summary>The cosigner name on a signature line, or null if the line is not one.</summary>
    public static string? NameOf(string line) => TryParse(line, out var name, out _) ? name : null;

    private static bool TryParse(string line, out string name, out byte[] blob)
    {
        (name, blob) = (string.Empty, []);
        var text = line.EndsWith('\n') ? line[..^1] : line;
        if (!text.StartsWith(LinePrefix, StringComparison.Ordinal) || text.Contains('\n', StringComparison.Ordinal))
        {
            return false;
        }
        var rest = text[LinePrefix.Length..];
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !SignedNote.IsKeyName(rest[..space]) || !SignedNote.TryFromCanonicalBase64(rest[(space + 1)..], out var decoded))
        {
            return false;
        }
        (name, blob) = (rest[..space], decoded);
        return true;
    }
}
