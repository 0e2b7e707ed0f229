using Gateway.Core.Queueing;

namespace Gateway.Api.Security;

/// <summary>
/// Every <c>/api</c> call: with keys configured, a known key (<c>Authorization: Bearer</c> or
/// <c>X-Api-Key</c>) or 401; and a route's <c>{circle}</c> must be a valid name (400) granted to
/// the key (403). The caller is left in the request for the handlers.
/// </summary>
internal sealed class ApiKeyFilter(ApiKeys keys) : IEndpointFilter
{
    private const string CallerItem = "gateway.caller";

    public static Caller? CallerOf(HttpContext context) => context.Items[CallerItem] as Caller;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        Caller? caller = null;
        if (!keys.Open)
        {
            var presented = Presented(http.Request);
            if (presented is null)
                return Unauthorized(http, "An API key is required: send Authorization: Bearer <key> or X-Api-Key: <key>.");
            caller = keys.Find(presented);
            if (caller is null)
                return Unauthorized(http, "The API key is not valid.");
            http.Items[CallerItem] = caller;
        }

        if (http.Request.RouteValues.TryGetValue("circle", out var value))
        {
            var circle = value as string;
            if (!CircleName.IsValid(circle))
            {
                return Apis.RequestReader.Invalid("circle",
                    "A circle name is 1–64 characters of letters, digits, '_' and '-', starting with a letter or digit.");
            }
            if (caller is not null && !caller.MayUse(circle!))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden,
                    title: "This key may not use this circle.", detail: $"The key '{caller.Name}' is not granted circle '{circle}'.");
            }
        }
        return await next(context);
    }

    private static string? Presented(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7)
            return authorization[7..].Trim();
        var header = request.Headers["X-Api-Key"].ToString();
        return header.Length > 0 ? header : null;
    }

    private static IResult Unauthorized(HttpContext http, string detail)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized.", detail: detail);
    }
}
