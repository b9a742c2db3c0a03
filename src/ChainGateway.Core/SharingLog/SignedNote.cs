// C2SP signed-note (c2sp.org/signed-note), Ed25519 signature type only.
//
//   note           = text || "\n" || 1*signature-line      (text is non-empty and ends in "\n")
//   signature-line = "— " key-name " " base64(key ID || signature) "\n"     (U+2014 EM DASH, U+0020)
//   key ID         = SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key)[:4], big-endian uint32
//   signature      = Ed25519 (RFC 8032) over the UTF-8 bytes of the text, 64 bytes
//   verifier key   = key name "+" hex(key ID, 8 lower-case digits) "+" base64(0x01 || public key)
//
// Invariants: notes are valid UTF-8 without ASCII control characters other than newline; the text ends at the
// LAST blank line; key names are non-empty with no Unicode space and no '+'; base64 is standard (RFC 4648 §4)
// and canonical. Verification (§Signatures): lines from unknown keys (name and ID not both matching) are
// ignored; every line from the known key must verify, and at least one must. At most MaxSignatures lines.
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace ChainGateway.Core.SharingLog;

/// <summary>A parsed C2SP signed note: its text (<see cref="Body"/>) and its signature lines, not yet verified.</summary>
/// <param name="Body">The note text, including its final newline, excluding the separating blank line.</param>
/// <param name="Signatures">The signature lines in note order.</param>
public sealed record SignedNote(string Body, IReadOnlyList<NoteSignature> Signatures)
{
    /// <summary>signed-note: verifiers should cap the signature count and must accept at least 16.</summary>
    public const int MaxSignatures = 100;

    /// <summary>signed-note §Signature types: 0x01 is Ed25519.</summary>
    public const byte Ed25519SignatureType = 0x01;

    private const string SignaturePrefix = "\u2014 ";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Signs <paramref name="body"/> and returns the note: body, blank line, one signature line.</summary>
    /// <exception cref="ArgumentException">The body or key name is not allowed by signed-note, or the key is not Ed25519.</exception>
    public static string Sign(string body, string keyName, Key signingKey)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(signingKey);
        RequireKeyName(keyName);
        if (signingKey.Algorithm is not Ed25519)
        {
            throw new ArgumentException("Signed notes here are Ed25519.", nameof(signingKey));
        }
        if (body.Length == 0 || body[^1] != '\n' || !IsNoteText(body))
        {
            throw new ArgumentException("A note text is non-empty valid UTF-8 ending in a newline, without other control characters.", nameof(body));
        }
        var signature = SignatureAlgorithm.Ed25519.Sign(signingKey, StrictUtf8.GetBytes(body));
        var blob = new byte[4 + signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(blob, KeyId(keyName, signingKey.PublicKey));
        signature.CopyTo(blob, 4);
        return $"{body}\n{SignaturePrefix}{keyName} {Convert.ToBase64String(blob)}\n";
    }

    /// <summary>
    /// True only if <paramref name="note"/> is well formed, carries at least one signature line with
    /// <paramref name="keyName"/> and this key's ID, and every such line verifies over the exact text.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not an Ed25519 public key or the key name is not allowed.</exception>
    public static bool Verify(string note, string keyName, PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(key);
        RequireKeyName(keyName);
        if (key.Algorithm is not Ed25519)
        {
            throw new ArgumentException("Signed notes here are Ed25519.", nameof(key));
        }
        if (!TryParse(note, out var parsed))
        {
            return false;
        }
        var id = KeyId(keyName, key);
        var text = StrictUtf8.GetBytes(parsed.Body);
        var matched = false;
        foreach (var line in parsed.Signatures)
        {
            if (!string.Equals(line.KeyName, keyName, StringComparison.Ordinal) || line.KeyId != id)
            {
                continue;
            }
            // signed-note: a known key's signature that fails makes the whole note bad.
            if (!SignatureAlgorithm.Ed25519.Verify(key, text, line.Signature))
            {
                return false;
            }
            matched = true;
        }
        return matched;
    }

    /// <summary>signed-note §Ed25519 signatures: SHA-256(key name || 0x0A || 0x01 || public key)[:4], big-endian.</summary>
    public static uint KeyId(string keyName, PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(keyName);
        ArgumentNullException.ThrowIfNull(key);
        var name = StrictUtf8.GetBytes(keyName);
        var publicKey = key.Export(KeyBlobFormat.RawPublicKey);
        var hash = SHA256.HashData([.. name, 0x0A, Ed25519SignatureType, .. publicKey]);
        return BinaryPrimitives.ReadUInt32BigEndian(hash);
    }

    /// <summary>The verifier key string <c>&lt;name&gt;+&lt;hex key ID&gt;+&lt;base64(0x01 || public key)&gt;</c>.</summary>
    public static string VerifierKey(string keyName, PublicKey key)
    {
        RequireKeyName(keyName);
        ArgumentNullException.ThrowIfNull(key);
        var encoded = Convert.ToBase64String([Ed25519SignatureType, .. key.Export(KeyBlobFormat.RawPublicKey)]);
        return string.Create(CultureInfo.InvariantCulture, $"{keyName}+{KeyId(keyName, key):x8}+{encoded}");
    }

    /// <summary>Reads a verifier key string back; false unless it is an Ed25519 key whose ID matches its name and key.</summary>
    public static bool TryParseVerifierKey(string verifierKey, [NotNullWhen(true)] out string? keyName, [NotNullWhen(true)] out PublicKey? key)
    {
        ArgumentNullException.ThrowIfNull(verifierKey);
        (keyName, key) = (null, null);
        var parts = verifierKey.Split('+');
        if (parts.Length != 3 || !IsKeyName(parts[0]) || parts[1].Length != 8
            || !uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id)
            || !string.Equals(parts[1], parts[1].ToLowerInvariant(), StringComparison.Ordinal)
            || !TryFromCanonicalBase64(parts[2], out var encoded)
            || encoded.Length != 33 || encoded[0] != Ed25519SignatureType
            || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, encoded.AsSpan(1), KeyBlobFormat.RawPublicKey, out var imported) || imported is null)
        {
            return false;
        }
        if (KeyId(parts[0], imported) != id)
        {
            return false;
        }
        (keyName, key) = (parts[0], imported);
        return true;
    }

    /// <summary>Parses a note's structure (no signature is checked).</summary>
    /// <exception cref="FormatException">The note is not a well-formed signed note.</exception>
    public static SignedNote Parse(string note) =>
        TryParse(note, out var parsed) ? parsed : throw new FormatException("Not a well-formed C2SP signed note.");

    /// <summary>Parses a note's structure (no signature is checked); false if it is malformed.</summary>
    public static bool TryParse(string note, [NotNullWhen(true)] out SignedNote? parsed)
    {
        ArgumentNullException.ThrowIfNull(note);
        parsed = null;
        if (!IsNoteText(note))
        {
            return false;
        }
        // signed-note §Format: the text ends at the last blank line; it keeps its final newline.
        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0)
        {
            return false;
        }
        var body = note[..(split + 1)];
        var block = note[(split + 2)..];
        if (block.Length == 0 || block[^1] != '\n')
        {
            return false;
        }
        var lines = block[..^1].Split('\n');
        if (lines.Length > MaxSignatures)
        {
            return false;
        }
        var signatures = new List<NoteSignature>(lines.Length);
        foreach (var line in lines)
        {
            if (!line.StartsWith(SignaturePrefix, StringComparison.Ordinal))
            {
                return false;
            }
            var rest = line[SignaturePrefix.Length..];
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0)
            {
                return false;
            }
            var name = rest[..space];
            if (!IsKeyName(name) || !TryFromCanonicalBase64(rest[(space + 1)..], out var blob) || blob.Length < 5)
            {
                return false;
            }
            signatures.Add(new NoteSignature(name, BinaryPrimitives.ReadUInt32BigEndian(blob), blob[4..]));
        }
        parsed = new SignedNote(body, signatures);
        return true;
    }

    /// <summary>signed-note: key names are non-empty, with no Unicode space and no '+'.</summary>
    public static bool IsKeyName(string? keyName) =>
        !string.IsNullOrEmpty(keyName) && IsNoteText(keyName) && !keyName.Any(c => c == '+' || c == '\n' || char.IsWhiteSpace(c));

    // Valid UTF-16 (so valid UTF-8 once encoded) and no ASCII control character other than newline.
    internal static bool IsNoteText(string text)
    {
        foreach (var c in text)
        {
            if (c < 0x20 && c != '\n')
            {
                return false;
            }
        }
        try
        {
            _ = StrictUtf8.GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }

    // RFC 4648 §4 standard base64, padded, and canonical: it must re-encode to the same text (Convert skips
    // whitespace and tolerates non-zero trailing bits, either of which would give one blob two spellings).
    internal static bool TryFromCanonicalBase64(string text, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        if (text.Length == 0 || text.Length % 4 != 0)
        {
            return false;
        }
        var buffer = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written))
        {
            return false;
        }
        var decoded = buffer[..written];
        if (!string.Equals(Convert.ToBase64String(decoded), text, StringComparison.Ordinal))
        {
            return false;
        }
        bytes = decoded;
        return true;
    }

    private static void RequireKeyName(string keyName, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(keyName))] string? parameter = null)
    {
        ArgumentNullException.ThrowIfNull(keyName, parameter);
        if (!IsKeyName(keyName))
        {
            throw new ArgumentException("A key name is non-empty, with no spaces and no '+'.", parameter);
        }
    }
}
