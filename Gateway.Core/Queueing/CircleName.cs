using System.Text.RegularExpressions;

namespace Gateway.Core.Queueing;

/// <summary>Circle names: <c>^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$</c>. Only valid names ever reach a Redis key.</summary>
public static partial class CircleName
{
    public const string Pattern = @"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\z";

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Regex();

    public static bool IsValid(string? name) => name is not null && Regex().IsMatch(name);

    /// <summary>Throws when the name is not a circle's: callers validate first, so this guards the key schema.</summary>
    public static void Ensure(string circle)
    {
        if (!IsValid(circle))
            throw new ArgumentException($"'{circle}' is not a valid circle name.", nameof(circle));
    }
}
