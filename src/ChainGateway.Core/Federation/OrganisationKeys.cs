using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using NSec.Cryptography;

namespace ChainGateway.Core.Federation;

/// <summary>
/// One organisation's private key set (DESIGN.md §3): an Ed25519 signing key, an X25519 envelope key and a
/// separate X25519 pseudonym key. NSec key objects are costly to create, so a node loads them once.
/// </summary>
public sealed class OrganisationKeys : IDisposable
{
    private readonly List<Key> additional;
    private readonly List<Key> additionalEnvelopes;
    private Dictionary<string, Key> envelopesById;

    private OrganisationKeys(string organisation, Key signing, Key envelope, Key pseudonym, IReadOnlyList<Key>? additionalPseudonyms = null,
        IReadOnlyList<Key>? additionalEnvelopes = null)
    {
        Organisation = organisation;
        Signing = signing;
        Envelope = envelope;
        Pseudonym = pseudonym;
        SigningKeyId = KeyThumbprint.Of(signing.PublicKey);
        EnvelopeKeyId = KeyThumbprint.Of(envelope.PublicKey);
        PseudonymKeyId = KeyThumbprint.Of(pseudonym.PublicKey);
        additional = [.. additionalPseudonyms ?? []];
        this.additionalEnvelopes = [.. additionalEnvelopes ?? []];
        envelopesById = IndexEnvelopes();
    }

    public string Organisation { get; }

    public Key Signing { get; }

    public Key Envelope { get; }

    public Key Pseudonym { get; }

    public string SigningKeyId { get; }

    public string EnvelopeKeyId { get; }

    public string PseudonymKeyId { get; }

    /// <summary>
    /// Further X25519 pseudonym keys held during a rotation (keys.json <c>additionalPseudonyms</c>): the trust list's
    /// notBefore/notAfter say which of them, and <see cref="Pseudonym"/>, are in use when.
    /// </summary>
    public IReadOnlyList<Key> AdditionalPseudonyms => additional;

    /// <summary>Every pseudonym key held, <see cref="Pseudonym"/> first.</summary>
    public IEnumerable<Key> AllPseudonyms => AdditionalPseudonyms.Prepend(Pseudonym);

    /// <summary>
    /// Further X25519 envelope keys held during a rotation (keys.json <c>additionalEnvelopes</c>): partners seal to the
    /// newest key the trust list says is valid, and envelopes sealed to the other one before the switch (still queued at
    /// a partner, up to an envelope's lifetime) must still open.
    /// </summary>
    public IReadOnlyList<Key> AdditionalEnvelopes => additionalEnvelopes;

    /// <summary>The envelope private key with this thumbprint, or null when this node does not hold it.</summary>
    public Key? EnvelopeKey(string keyId) => envelopesById.GetValueOrDefault(keyId);

    public static OrganisationKeys Generate(string organisation) => new(
        organisation,
        Key.Create(SignatureAlgorithm.Ed25519, Exportable()),
        Key.Create(KeyAgreementAlgorithm.X25519, Exportable()),
        Key.Create(KeyAgreementAlgorithm.X25519, Exportable()));

    /// <summary>A key set from raw 32-byte private keys (Ed25519 seed, X25519, X25519).</summary>
    public static OrganisationKeys FromRaw(string organisation, ReadOnlySpan<byte> signing, ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> pseudonym) => new(
        organisation,
        Key.Import(SignatureAlgorithm.Ed25519, signing, KeyBlobFormat.RawPrivateKey, Exportable()),
        Key.Import(KeyAgreementAlgorithm.X25519, envelope, KeyBlobFormat.RawPrivateKey, Exportable()),
        Key.Import(KeyAgreementAlgorithm.X25519, pseudonym, KeyBlobFormat.RawPrivateKey, Exportable()));

    /// <summary>
    /// Loads a key file written by <see cref="Save"/>. As a node holds them, the signing and pseudonym keys cannot be
    /// exported (nothing at run time needs their private bytes, so no bug can leak them that way); the envelope key can,
    /// because the HPKE open reads its scalar once instead of going through a key agreement object per envelope.
    /// <paramref name="editable"/> loads every key exportable, for a tool that changes the set and saves it again.
    /// </summary>
    public static OrganisationKeys Load(string path, bool editable = false)
    {
        var file = JsonSerializer.Deserialize(File.ReadAllBytes(path), FederationJsonContext.Default.KeyFile)
            ?? throw new InvalidDataException($"{path}: empty key file");
        var sealedAway = editable ? KeyExportPolicies.AllowPlaintextExport : KeyExportPolicies.None;
        return new OrganisationKeys(
            file.Organisation,
            Import(SignatureAlgorithm.Ed25519, file.Signing, path, "signing", sealedAway),
            Import(KeyAgreementAlgorithm.X25519, file.Envelope, path, "envelope", KeyExportPolicies.AllowPlaintextExport),
            Import(KeyAgreementAlgorithm.X25519, file.Pseudonym, path, "pseudonym", sealedAway),
            file.AdditionalPseudonyms?.Select((k, i) => Import(KeyAgreementAlgorithm.X25519, k, path, $"additionalPseudonyms[{i}]", sealedAway)).ToList(),
            file.AdditionalEnvelopes?.Select((k, i) => Import(KeyAgreementAlgorithm.X25519, k, path, $"additionalEnvelopes[{i}]",
                KeyExportPolicies.AllowPlaintextExport)).ToList());
    }

    /// <summary>Writes the private keys as raw base64url; the file is created readable by its owner only.</summary>
    public void Save(string path)
    {
        var file = new KeyFile(
            Organisation,
            Base64Url.EncodeToString(Signing.Export(KeyBlobFormat.RawPrivateKey)),
            Base64Url.EncodeToString(Envelope.Export(KeyBlobFormat.RawPrivateKey)),
            Base64Url.EncodeToString(Pseudonym.Export(KeyBlobFormat.RawPrivateKey)),
            AdditionalPseudonyms.Count == 0 ? null : AdditionalPseudonyms.Select(k => Base64Url.EncodeToString(k.Export(KeyBlobFormat.RawPrivateKey))).ToList(),
            AdditionalEnvelopes.Count == 0 ? null : AdditionalEnvelopes.Select(k => Base64Url.EncodeToString(k.Export(KeyBlobFormat.RawPrivateKey))).ToList());
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var stream = new FileStream(path, options);
        JsonSerializer.Serialize(stream, file, FederationJsonContext.Default.KeyFile);
    }

    public void Dispose()
    {
        Signing.Dispose();
        Envelope.Dispose();
        Pseudonym.Dispose();
        foreach (var key in AdditionalPseudonyms.Concat(AdditionalEnvelopes))
        {
            key.Dispose();
        }
    }

    /// <summary>Adds an envelope key (a rotation's new key, before <see cref="Save"/>); this key set disposes it.</summary>
    public void AddEnvelopeKey(Key key)
    {
        ArgumentNullException.ThrowIfNull(key);
        additionalEnvelopes.Add(key);
        envelopesById = IndexEnvelopes();
    }

    private Dictionary<string, Key> IndexEnvelopes() =>
        additionalEnvelopes.Prepend(Envelope).ToDictionary(k => KeyThumbprint.Of(k.PublicKey), StringComparer.Ordinal);

    /// <summary>Adds a pseudonym key (a rotation's new key, before <see cref="Save"/>); this key set disposes it.</summary>
    public void AddPseudonymKey(Key key)
    {
        ArgumentNullException.ThrowIfNull(key);
        additional.Add(key);
    }

    private static Key Import(Algorithm algorithm, string value, string path, string name, KeyExportPolicies policy)
    {
        byte[] raw = [];
        try
        {
            raw = Base64Url.DecodeFromChars(value);
            return Key.Import(algorithm, raw, KeyBlobFormat.RawPrivateKey, new KeyCreationParameters { ExportPolicy = policy });
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: the {name} key is not a raw 32-byte key in base64url", e);
        }
        finally
        {
            // The key object holds its own copy (in memory libsodium guards); this one is not left for the GC to move around.
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    private static KeyCreationParameters Exportable() => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    internal sealed record KeyFile(
        [property: JsonPropertyName("organisation")] string Organisation,
        [property: JsonPropertyName("signing")] string Signing,
        [property: JsonPropertyName("envelope")] string Envelope,
        [property: JsonPropertyName("pseudonym")] string Pseudonym,
        [property: JsonPropertyName("additionalPseudonyms")] IReadOnlyList<string>? AdditionalPseudonyms = null,
        [property: JsonPropertyName("additionalEnvelopes")] IReadOnlyList<string>? AdditionalEnvelopes = null);
}
