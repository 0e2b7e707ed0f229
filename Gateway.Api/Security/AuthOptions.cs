using System.ComponentModel.DataAnnotations;

namespace Gateway.Api.Security;

/// <summary><c>Gateway:Auth</c> — who may call the API, and which circles each caller may use.</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Gateway:Auth";

    /// <summary>The API keys; none, and no <see cref="Jwt"/> either = the API is open (a warning is logged at start).</summary>
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>JWT bearer tokens from an identity provider, beside the keys.</summary>
    public JwtOptions Jwt { get; set; } = new();

    /// <summary>Neither keys nor tokens: anyone who reaches the API may use it.</summary>
    public bool Open => ApiKeys.Count == 0 && !Jwt.Enabled;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < ApiKeys.Count; i++)
        {
            var key = ApiKeys[i];
            var at = $"{Section}:ApiKeys:{i}";
            if (string.IsNullOrWhiteSpace(key.Name))
                yield return new($"{at}:Name is required.");
            if (string.IsNullOrEmpty(key.Key) == string.IsNullOrEmpty(key.KeySha256))
                yield return new($"{at} needs exactly one of Key or KeySha256.");
            if (key.Key is { Length: > 0 and < 16 })
                yield return new($"{at}:Key must be at least 16 characters.");
            if (key.KeySha256 is { Length: > 0 } hash && (hash.Length != 64 || !hash.All(char.IsAsciiHexDigit)))
                yield return new($"{at}:KeySha256 must be 64 hex digits (the SHA-256 of the key).");
            if (key.Circles.Count == 0 || key.Circles.Any(c => c != "*" && !CircleName.IsValid(c)))
                yield return new($"{at}:Circles must list \"*\" or valid circle names.");
        }
        if (ApiKeys.Select(k => k.Name).Distinct(StringComparer.Ordinal).Count() != ApiKeys.Count)
            yield return new($"{Section}:ApiKeys names must be unique.");
        foreach (var error in Jwt.Validate())
            yield return error;
    }
}

/// <summary>One API key: its name (the caller tasks are stamped with), the key or its SHA-256, its circles.</summary>
public sealed class ApiKeyOptions
{
    public string Name { get; set; } = "";

    /// <summary>The key in plain text (for development); prefer <see cref="KeySha256"/>.</summary>
    public string? Key { get; set; }

    /// <summary>Lowercase or uppercase hex SHA-256 of the key's UTF-8 bytes.</summary>
    public string? KeySha256 { get; set; }

    /// <summary>Circles the key may use; <c>*</c> = all.</summary>
    public List<string> Circles { get; set; } = [];
}

/// <summary>
/// <c>Gateway:Auth:Jwt</c> — tokens of an identity provider: its issuer, the audience the tokens
/// must name, and where the signing keys come from (OIDC discovery at <see cref="Authority"/>, or
/// one shared <see cref="SigningKey"/> for HS256).
/// </summary>
public sealed class JwtOptions
{
    public const string Section = AuthOptions.Section + ":Jwt";

    /// <summary>The <c>iss</c> every token must carry.</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> every token must carry.</summary>
    public string? Audience { get; set; }

    /// <summary>Base address of the OIDC provider; its discovery document gives the signing keys.</summary>
    public string? Authority { get; set; }

    /// <summary>An HS256 secret (at least 32 characters), for offline use and tests, instead of <see cref="Authority"/>.</summary>
    public string? SigningKey { get; set; }

    /// <summary>The claim with the circles a token grants: a space-separated string or an array, <c>*</c> for all.</summary>
    public string CirclesClaim { get; set; } = "circles";

    /// <summary>Whether discovery must use HTTPS; turn off only for a local provider.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>How far a token's times may be off the server's clock.</summary>
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>Any JWT setting given turns tokens on (and then all the required ones must be right).</summary>
    public bool Enabled => !string.IsNullOrEmpty(Issuer) || !string.IsNullOrEmpty(Audience)
        || !string.IsNullOrEmpty(Authority) || !string.IsNullOrEmpty(SigningKey);

    internal IEnumerable<ValidationResult> Validate()
    {
        if (!Enabled)
            yield break;
        if (string.IsNullOrWhiteSpace(Issuer))
            yield return new($"{Section}:Issuer is required when JWT is configured.");
        if (string.IsNullOrWhiteSpace(Audience))
            yield return new($"{Section}:Audience is required when JWT is configured.");
        if (string.IsNullOrEmpty(Authority) == string.IsNullOrEmpty(SigningKey))
            yield return new($"{Section} needs exactly one of Authority (OIDC discovery) or SigningKey (HS256).");
        if (Authority is { Length: > 0 } authority && (!Uri.TryCreate(authority, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
            yield return new($"{Section}:Authority must be an absolute http(s) address.");
        if (Authority is { Length: > 0 } && RequireHttpsMetadata && !Authority.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            yield return new($"{Section}:Authority must be https (or set {Section}:RequireHttpsMetadata to false for a local provider).");
        if (SigningKey is { Length: > 0 and < 32 })
            yield return new($"{Section}:SigningKey must be at least 32 characters.");
        if (string.IsNullOrWhiteSpace(CirclesClaim))
            yield return new($"{Section}:CirclesClaim must name a claim.");
        if (ClockSkewSeconds is < 0 or > 600)
            yield return new($"{Section}:ClockSkewSeconds must be 0 to 600.");
    }
}
