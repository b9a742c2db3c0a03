using System.Security.Cryptography;
using ChainGateway.Core.Errors;
using ChainGateway.Node.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ChainGateway.Node.Auth;

/// <summary>
/// Validates the bearer tokens of the organisation's identity provider (DESIGN.md §9) with
/// Microsoft.IdentityModel.Tokens: ES256 signature with the configured key, issuer, audience and lifetime
/// (30 s clock skew), then reads the roles.
/// </summary>
public sealed class JwtAuthenticator
{
    private const int CacheLimit = 10_000;
    private readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters parameters;
    private readonly TimeProvider time;

    // A case system sends many calls with one token: a token validated once is trusted until it expires, so the
    // signature check (the costly part) runs once per token instead of once per call.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (LocalUser User, DateTime Expires)> validated = new(StringComparer.Ordinal);

    public JwtAuthenticator(JwtSettings settings, string signingKeyPem, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        this.time = time;
        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(signingKeyPem);
        parameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            IssuerSigningKey = new ECDsaSecurityKey(ecdsa),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            // Lifetime against the node's TimeProvider, not the wall clock, so tests can move time.
            LifetimeValidator = (notBefore, expires, _, p) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                if (expires is null || now >= expires.Value + p.ClockSkew)
                {
                    throw new SecurityTokenExpiredException("the token has expired") { Expires = expires ?? DateTime.MinValue };
                }
                if (notBefore is not null && notBefore.Value - p.ClockSkew > now)
                {
                    throw new SecurityTokenNotYetValidException("the token is not valid yet") { NotBefore = notBefore.Value };
                }
                return true;
            },
            RoleClaimType = "roles",
            NameClaimType = "sub",
        };
    }

    public async Task<LocalUser> AuthenticateAsync(string? authorizationHeader)
    {
        const string prefix = "Bearer ";
        if (authorizationHeader is null || !authorizationHeader.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            ChainGatewayException.Throw(ReasonCode.Unauthenticated, "a bearer token is required (authorization: Bearer <jwt>)");
        }
        var token = authorizationHeader[prefix.Length..].Trim();
        var now = time.GetUtcNow().UtcDateTime;
        if (validated.TryGetValue(token, out var cached) && now < cached.Expires)
        {
            return cached.User;
        }
        var result = await handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            ChainGatewayException.Throw(ReasonCode.Unauthenticated, $"the bearer token is not valid: {Describe(result.Exception)}");
        }
        // The user the sharing log names and the per-user limits count: a token that names nobody is no one's, not a shared
        // "unknown" user for every such caller.
        var subject = result.ClaimsIdentity.FindFirst("sub")?.Value;
        if (string.IsNullOrWhiteSpace(subject))
        {
            ChainGatewayException.Throw(ReasonCode.Unauthenticated, "the bearer token names no user (its 'sub' claim is missing or empty)");
        }
        var roles = result.ClaimsIdentity.FindAll("roles").Select(c => c.Value).ToArray();
        var validTo = ((JsonWebToken)result.SecurityToken).ValidTo;
        var user = new LocalUser(subject, roles) { Expires = new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc)) };
        if (validated.Count >= CacheLimit)
        {
            validated.Clear();
        }
        validated[token] = (user, ((JsonWebToken)result.SecurityToken).ValidTo);
        return user;
    }

    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "it has expired",
        SecurityTokenInvalidAudienceException => "it is for another audience",
        SecurityTokenInvalidIssuerException => "it is from another issuer",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "its signature does not verify",
        SecurityTokenNotYetValidException => "it is not valid yet",
        SecurityTokenInvalidLifetimeException => "it is not valid at this time",
        SecurityTokenMalformedException => "it is not a well-formed JWT",
        null => "unknown reason",
        _ => exception.GetType().Name,
    };
}
