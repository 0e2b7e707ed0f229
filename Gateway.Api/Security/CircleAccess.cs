using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Gateway.Api.Security;

/// <summary>
/// Policy <c>circle</c>, on every <c>/api</c> endpoint: with any credential configured the user
/// must be signed in (else 401), and a route's <c>{circle}</c> must be granted to it (else 403).
/// </summary>
public sealed class CircleAccessRequirement : IAuthorizationRequirement
{
    public const string Policy = "circle";
}

internal sealed class CircleAccessHandler(IOptions<AuthOptions> auth) : AuthorizationHandler<CircleAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, CircleAccessRequirement requirement)
    {
        if (auth.Value.Open)
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
            return Task.CompletedTask;

        // A malformed name is not a grant question: the endpoint answers it with 400.
        var circle = (context.Resource as HttpContext)?.GetRouteValue("circle") as string;
        if (circle is null || !CircleName.IsValid(circle) || user.MayUse(circle))
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }
        var forbidden = user.Identity.AuthenticationType == ApiKeyAuthenticationHandler.SchemeName
            ? $"The key '{user.CallerName()}' is not granted circle '{circle}'."
            : $"The token of '{user.CallerName()}' does not grant circle '{circle}'.";
        context.Fail(new AuthorizationFailureReason(this, forbidden));
        return Task.CompletedTask;
    }
}

/// <summary>A refused grant is a 403 ProblemDetails saying which circle; the rest as the framework does it.</summary>
internal sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }
        var reason = authorizeResult.AuthorizationFailure?.FailureReasons.FirstOrDefault()?.Message;
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "This caller may not use this circle.",
                Detail = reason ?? "The credentials do not allow this request.",
            },
        });
    }
}
