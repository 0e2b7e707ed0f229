using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Net.Http.Headers;

namespace Gateway.Api.Security;

/// <summary>
/// Scheme <c>ApiKey</c>: a configured key in <c>Authorization: Bearer</c> or <c>X-Api-Key</c>
/// signs its owner in, with the key's name as the caller and its circles as claims. Its
/// challenge is the 401 ProblemDetails every unauthenticated <c>/api</c> call gets.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeys keys,
    IOptions<AuthOptions> auth,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    private const string InvalidKey = "The API key is not valid.";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Credentials.Bearer(Request) ?? Credentials.ApiKey(Request);
        if (presented is null)
            return Task.FromResult(AuthenticateResult.NoResult());
        if (keys.Find(presented) is not { } owner)
            return Task.FromResult(AuthenticateResult.Fail(InvalidKey));
        var principal = new ClaimsPrincipal(GatewayClaims.Identity(SchemeName, owner.Name, owner.Circles));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var detail = result.Failure is not null
            ? InvalidKey
            : auth.Value.Jwt.Enabled
                ? "Credentials are required: send Authorization: Bearer <key or JWT> or X-Api-Key: <key>."
                : "An API key is required: send Authorization: Bearer <key> or X-Api-Key: <key>.";
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = "Unauthorized.", Detail = detail },
        });
    }
}
