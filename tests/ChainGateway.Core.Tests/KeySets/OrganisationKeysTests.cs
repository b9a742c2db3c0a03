using ChainGateway.Core.Federation;
using NSec.Cryptography;

namespace ChainGateway.Core.Tests.KeySets;

/// <summary>How a node holds its private keys once loaded: only the envelope key's bytes can be exported.</summary>
public sealed class OrganisationKeysTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), $"chaingw-keys-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(path);

    [Fact]
    public void AsANodeLoadsThem_TheSigningAndPseudonymKeysCannotBeExported_TheEnvelopeKeyCan()
    {
        using (var generated = OrganisationKeys.Generate("politie"))
        {
            generated.AddPseudonymKey(Key.Create(KeyAgreementAlgorithm.X25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));
            generated.Save(path);
        }

        using var keys = OrganisationKeys.Load(path);

        Assert.Equal(KeyExportPolicies.None, keys.Signing.ExportPolicy);
        Assert.Throws<InvalidOperationException>(() => keys.Signing.Export(KeyBlobFormat.RawPrivateKey));
        Assert.All(keys.AllPseudonyms, k => Assert.Equal(KeyExportPolicies.None, k.ExportPolicy));
        Assert.Equal(KeyExportPolicies.AllowPlaintextExport, keys.Envelope.ExportPolicy);
        Assert.Throws<InvalidOperationException>(() => keys.Save(path + ".copy"));
        // Still the same keys, usable for what a node does with them.
        var data = "chaingateway"u8.ToArray();
        Assert.True(SignatureAlgorithm.Ed25519.Verify(keys.Signing.PublicKey, data, SignatureAlgorithm.Ed25519.Sign(keys.Signing, data)));
        File.Delete(path + ".copy");
    }

    [Fact]
    public void LoadedForEditing_TheSetSavesAgain_Unchanged()
    {
        using (var generated = OrganisationKeys.Generate("politie"))
        {
            generated.Save(path);
        }
        var before = File.ReadAllText(path);

        using (var keys = OrganisationKeys.Load(path, editable: true))
        {
            keys.Save(path);
        }

        Assert.Equal(before, File.ReadAllText(path));
    }
}
