// C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the signed tree head of the sharing log (DESIGN.md §7).
//
//   body = origin "\n" tree-size "\n" base64(root hash) "\n" *(extension-line "\n")
//   note = body, signed per C2SP signed-note (SignedNote) by the node's Ed25519 key
//
// origin: non-empty, ours is "chaingateway/<org id>" (schema-less, no spaces, no '+'); tree size: ASCII decimal
// without leading zeroes ("0" for the empty tree); root hash: standard base64 of the 32-byte RFC 9162 root.
// We never write extension lines (they are not auditable); Parse keeps any it meets. The key name SHOULD be the
// origin. Invariant the caller owns: never sign a checkpoint inconsistent with one signed before.
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using NSec.Cryptography;

namespace ChainGateway.Core.SharingLog;

/// <summary>A parsed tlog checkpoint: origin, tree size, root hash, extension lines and the note's signature lines.</summary>
/// <param name="Origin">The log identity, e.g. <c>chaingateway/org-a</c>.</param>
/// <param name="Size">The number of leaves.</param>
/// <param name="RootHash">The RFC 9162 root at <paramref name="Size"/>, 32 bytes.</param>
/// <param name="Extensions">Opaque extension lines after the root (we never write any).</param>
/// <param name="Signatures">The note's signature lines, as parsed; see <see cref="Open"/> to verify.</param>
public sealed record Checkpoint(string Origin, long Size, byte[] RootHash, IReadOnlyList<string> Extensions, IReadOnlyList<NoteSignature> Signatures)
{
    /// <summary>
    /// The largest checkpoint note (UTF-8, with its signature and cosignature lines) a witness takes. Ours are about 200
    /// bytes, and a cosignature line about 130 (its key name, 76 bytes in base64): room for signed-note's hundred
    /// signature lines with key names of some 30 characters. Lines from keys a verifier does not know are ignored by
    /// signed-note, of any length; without a bound a partner could make each witness store whatever it appended.
    /// </summary>
    public const int MaxNoteBytes = 16 * 1024;

    /// <summary>Our origins are <c>chaingateway/&lt;org id&gt;</c>.</summary>
    public const string OriginPrefix = "chaingateway/";

    /// <summary>The origin of the sharing log of organisation <paramref name="organisationId"/>.</summary>
    public static string OriginFor(string organisationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(organisationId);
        var origin = OriginPrefix + organisationId;
        if (!SignedNote.IsKeyName(origin))
        {
            throw new ArgumentException("An organisation id has no spaces, '+' or control characters.", nameof(organisationId));
        }
        return origin;
    }

    /// <summary>tlog-checkpoint §Note text: <c>origin\nsize\nbase64(root)\n</c>.</summary>
    public static string FormatBody(string origin, long size, byte[] root)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        // We hold our own origins to the SHOULD (no Unicode spaces, no '+'): it doubles as the key name.
        if (!SignedNote.IsKeyName(origin))
        {
            throw new ArgumentException("An origin is non-empty, with no spaces, '+' or control characters.", nameof(origin));
        }
        if (root.Length != MerkleTree.HashSize)
        {
            throw new ArgumentException($"A root hash is {MerkleTree.HashSize} bytes.", nameof(root));
        }
        return string.Create(CultureInfo.InvariantCulture, $"{origin}\n{size}\n{Convert.ToBase64String(root)}\n");
    }

    /// <summary>The signed checkpoint note for the tree of <paramref name="size"/> leaves with <paramref name="root"/>.</summary>
    public static string Sign(string origin, long size, byte[] root, string keyName, Key signingKey) =>
        SignedNote.Sign(FormatBody(origin, size, root), keyName, signingKey);

    /// <summary>Parses a checkpoint note's structure; signatures are NOT checked (signed-note: ignore the text until verified).</summary>
    /// <exception cref="FormatException">Not a well-formed signed note or checkpoint body.</exception>
    public static Checkpoint Parse(string note) =>
        TryParse(note, out var checkpoint) ? checkpoint : throw new FormatException("Not a well-formed C2SP tlog checkpoint.");

    /// <summary>Parses a checkpoint note's structure; false if malformed. Signatures are NOT checked.</summary>
    public static bool TryParse(string note, [NotNullWhen(true)] out Checkpoint? checkpoint)
    {
        ArgumentNullException.ThrowIfNull(note);
        checkpoint = null;
        if (!SignedNote.TryParse(note, out var signed))
        {
            return false;
        }
        // tlog-checkpoint §Note text: at least three non-empty lines.
        var lines = signed.Body[..^1].Split('\n');
        if (lines.Length < 3 || lines.Any(l => l.Length == 0)
            || !TryParseSize(lines[1], out var size)
            || !SignedNote.TryFromCanonicalBase64(lines[2], out var root) || root.Length != MerkleTree.HashSize)
        {
            return false;
        }
        checkpoint = new Checkpoint(lines[0], size, root, lines[3..], signed.Signatures);
        return true;
    }

    /// <summary>
    /// Verifies the note with <paramref name="keyName"/>/<paramref name="key"/> (SignedNote.Verify), then parses
    /// it; null if either fails. Callers still check the origin and that the size/root fit what they know.
    /// </summary>
    public static Checkpoint? Open(string note, string keyName, PublicKey key) =>
        SignedNote.Verify(note, keyName, key) && TryParse(note, out var checkpoint) ? checkpoint : null;

    // tlog-checkpoint: ASCII decimal, no leading zeroes unless the size is 0; must fit a long.
    private static bool TryParseSize(string text, out long size)
    {
        size = 0;
        if (text.Length == 0 || (text.Length > 1 && text[0] == '0') || !text.All(char.IsAsciiDigit))
        {
            return false;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out size);
    }
}
