using Microsoft.Net.Http.Headers;

namespace Gateway.Api.Security;

/// <summary>The one place that reads a credential off a request.</summary>
internal static class Credentials
{
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>The value of <c>Authorization: Bearer …</c>, or null.</summary>
    public static string? Bearer(HttpRequest request)
    {
        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7
            ? authorization[7..].Trim()
            : null;
    }

    /// <summary>The value of <c>X-Api-Key</c>, or null.</summary>
    public static string? ApiKey(HttpRequest request) =>
        request.Headers[ApiKeyHeader].ToString() is { Length: > 0 } header ? header : null;
}
