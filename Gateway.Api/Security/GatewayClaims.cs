using System.Security.Claims;

namespace Gateway.Api.Security;

/// <summary>
/// What every authentication scheme leaves in <see cref="HttpContext.User"/>: the caller's name
/// (stamped on its tasks) and one claim per circle it may use (<c>*</c> for all). Endpoints, the
/// circle policy and the rate limiter read only these, whichever scheme signed the caller in.
/// </summary>
public static class GatewayClaims
{
    public const string Caller = "gateway:caller";
    public const string Circle = "gateway:circle";
    public const string AllCircles = "*";

    public static ClaimsIdentity Identity(string scheme, string caller, IEnumerable<string> circles, IEnumerable<Claim>? others = null)
    {
        var claims = new List<Claim>(others ?? []) { new(Caller, caller) };
        claims.AddRange(circles.Distinct(StringComparer.Ordinal).Select(c => new Claim(Circle, c)));
        return new ClaimsIdentity(claims, scheme, Caller, roleType: null);
    }

    /// <summary>The caller's name; null when the API is open and nobody signed in.</summary>
    public static string? CallerName(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirst(Caller)?.Value : null;

    /// <summary>
    /// Whether the user may use the circle. Nobody signed in gets this far only when the API is
    /// open (the circle policy challenges otherwise), so an anonymous user may use every circle.
    /// </summary>
    public static bool MayUse(this ClaimsPrincipal user, string circle) =>
        user.Identity?.IsAuthenticated != true
        || user.HasClaim(c => c.Type == Circle && (c.Value == AllCircles || c.Value == circle));
}
