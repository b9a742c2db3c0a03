using System.Buffers.Text;
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
    private OrganisationKeys(string organisation, Key signing, Key envelope, Key pseudonym)
    {
        Organisation = organisation;
        Signing = signing;
        Envelope = envelope;
        Pseudonym = pseudonym;
        SigningKeyId = KeyThumbprint.Of(signing.PublicKey);
        EnvelopeKeyId = KeyThumbprint.Of(envelope.PublicKey);
        PseudonymKeyId = KeyThumbprint.Of(pseudonym.PublicKey);
    }

    public string Organisation { get; }

    public Key Signing { get; }

    public Key Envelope { get; }

    public Key Pseudonym { get; }

    public string SigningKeyId { get; }

    public string EnvelopeKeyId { get; }

    public string PseudonymKeyId { get; }

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

    /// <summary>Loads a key file written by <see cref="Save"/>.</summary>
    public static OrganisationKeys Load(string path)
    {
        var file = JsonSerializer.Deserialize(File.ReadAllBytes(path), FederationJsonContext.Default.KeyFile)
            ?? throw new InvalidDataException($"{path}: empty key file");
        return new OrganisationKeys(
            file.Organisation,
            Import(SignatureAlgorithm.Ed25519, file.Signing, path, "signing"),
            Import(KeyAgreementAlgorithm.X25519, file.Envelope, path, "envelope"),
            Import(KeyAgreementAlgorithm.X25519, file.Pseudonym, path, "pseudonym"));
    }

    /// <summary>Writes the private keys as raw base64url; the file is created readable by its owner only.</summary>
    public void Save(string path)
    {
        var file = new KeyFile(
            Organisation,
            Base64Url.EncodeToString(Signing.Export(KeyBlobFormat.RawPrivateKey)),
            Base64Url.EncodeToString(Envelope.Export(KeyBlobFormat.RawPrivateKey)),
            Base64Url.EncodeToString(Pseudonym.Export(KeyBlobFormat.RawPrivateKey)));
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
    }

    private static Key Import(Algorithm algorithm, string value, string path, string name)
    {
        try
        {
            return Key.Import(algorithm, Base64Url.DecodeFromChars(value), KeyBlobFormat.RawPrivateKey, Exportable());
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: the {name} key is not a raw 32-byte key in base64url", e);
        }
    }

    private static KeyCreationParameters Exportable() => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    internal sealed record KeyFile(
        [property: JsonPropertyName("organisation")] string Organisation,
        [property: JsonPropertyName("signing")] string Signing,
        [property: JsonPropertyName("envelope")] string Envelope,
        [property: JsonPropertyName("pseudonym")] string Pseudonym);
}
