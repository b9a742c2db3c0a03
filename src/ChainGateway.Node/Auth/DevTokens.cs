using System.Security.Claims;
using System.Security.Cryptography;
using ChainGateway.Node.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ChainGateway.Node.Auth;

/// <summary>
/// Mints tokens as the demo identity provider would (ES256 with the config directory's jwt-issuer.key.pem).
/// For <c>chaingw token</c>, the demo and tests only: production tokens come from the organisation's IdP.
/// </summary>
public static class DevTokens
{
    public static string Mint(NodeConfiguration configuration, string subject, IEnumerable<string> roles, TimeSpan lifetime, TimeProvider time,
        string? audience = null, string? keyPemPath = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(File.ReadAllText(keyPemPath ?? configuration.Resolve("jwt-issuer.key.pem")));
        var now = time.GetUtcNow().UtcDateTime;
        var claims = new List<Claim> { new("sub", subject) };
        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = configuration.Jwt.Issuer,
            Audience = audience ?? configuration.Jwt.Audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = lifetime < TimeSpan.Zero ? now + lifetime - TimeSpan.FromMinutes(1) : now.AddSeconds(-5),
            IssuedAt = lifetime < TimeSpan.Zero ? now + lifetime - TimeSpan.FromMinutes(1) : now,
            Expires = now + lifetime,
            // No provider cache: the key object is disposed on return, and a cached signer would outlive it.
            SigningCredentials = new SigningCredentials(
                new ECDsaSecurityKey(ecdsa) { CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false } },
                SecurityAlgorithms.EcdsaSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }
}
