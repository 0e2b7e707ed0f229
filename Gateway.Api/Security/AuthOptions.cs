using System.ComponentModel.DataAnnotations;
using Gateway.Core.Queueing;

namespace Gateway.Api.Security;

/// <summary><c>Gateway:Auth</c> — who may call the API, and which circles each caller may use.</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Gateway:Auth";

    /// <summary>The API keys; none = the API is open (a warning is logged at start).</summary>
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

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
