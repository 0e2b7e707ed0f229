using Microsoft.AspNetCore.Routing.Patterns;

namespace Gateway.Api.Apis;

/// <summary>
/// The error responses shared by many endpoints, declared where their cause is attached, so the
/// document lists every status an endpoint can answer. A handler's own outcomes come from its
/// <c>Results&lt;…&gt;</c> type and its <c>.ProducesProblem(…)</c>; these are the rest.
/// </summary>
public static class ApiResponses
{
    /// <summary>
    /// Names a list's next page in the response's <c>Link</c> header: this path with
    /// <paramref name="query"/> (its cursor, <c>limit</c> and any filter), <c>rel="next"</c>.
    /// </summary>
    public static void LinkNextPage(this HttpResponse response, string query)
    {
        var request = response.HttpContext.Request;
        response.Headers.Link = $"<{request.PathBase}{request.Path}?{query}>; rel=\"next\"";
    }

    /// <summary>
    /// What the <c>/api</c> pipeline may answer before or around any handler: 401/403 (auth),
    /// 429 (rate limit, or a circle's full queue), 500 (a bug), 503 (Redis unavailable).
    /// </summary>
    public static TBuilder ProducesApiProblems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    /// <summary>An endpoint that reads a body: 400 with the fields at fault, 413 too large, 415 not JSON.</summary>
    public static RouteHandlerBuilder ProducesBodyProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    /// <summary>
    /// A route's <c>{circle}</c> is checked (<see cref="RouteNameFilter.Circle"/>) on every endpoint of the
    /// group, and each endpoint with that parameter declares the 400 it may answer.
    /// </summary>
    public static RouteGroupBuilder WithCircleNameCheck(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(RouteNameFilter.Circle);
        ((IEndpointConventionBuilder)group).Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder { RoutePattern: var pattern } && HasCircle(pattern))
            {
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(
                    StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails), ["application/problem+json"]));
            }
        });
        return group;
    }

    private static bool HasCircle(RoutePattern pattern) => pattern.GetParameter("circle") is not null;
}
