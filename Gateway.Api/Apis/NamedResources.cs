using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Apis;

/// <summary>
/// What a circle's named resources (registered scripts, schedules) share: four routes under
/// <c>/circles/{circle}/{kind}s</c>, a <c>{name}</c> checked on each of them before anything is
/// read (400 naming it), and 201 for a new name against 200 for one put again.
/// </summary>
internal static class NamedResources
{
    /// <summary>
    /// The group and its routes, named <c>Put{kind}</c>, <c>List{kind}s</c>, <c>Get{kind}</c> and
    /// <c>Delete{kind}</c>, with the statuses all four answer alike; each handler carries its own
    /// <see cref="EndpointSummaryAttribute"/>.
    /// </summary>
    public static NamedRoutes MapNamedResources<TRequest>(
        this RouteGroupBuilder api, string kind, Delegate put, Delegate list, Delegate get, Delegate delete)
        where TRequest : notnull
    {
        var plural = kind + "s";
        var group = api.MapGroup($"/circles/{{circle}}/{plural.ToLowerInvariant()}")
            .WithTags(plural)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .AddEndpointFilter(new RouteNameFilter("name", kind.ToLowerInvariant() + " name"));
        return new NamedRoutes(
            group,
            Put: group.MapPut("/{name}", put)
                .WithName("Put" + kind)
                .Accepts<TRequest>("application/json")
                .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
                .ProducesProblem(StatusCodes.Status415UnsupportedMediaType),
            List: group.MapGet("/", list).WithName("List" + plural),
            Get: group.MapGet("/{name}", get).WithName("Get" + kind).ProducesProblem(StatusCodes.Status404NotFound),
            Delete: group.MapDelete("/{name}", delete).WithName("Delete" + kind).ProducesProblem(StatusCodes.Status404NotFound));
    }

    /// <summary>201 at <paramref name="location"/> for a name put for the first time, 200 when it was there already.</summary>
    public static Results<Created<TView>, Ok<TView>, ProblemHttpResult> Put<TView>(bool created, string location, TView view) =>
        created ? TypedResults.Created(location, view) : TypedResults.Ok(view);
}

/// <summary>The routes of a named resource, for each caller's extra statuses.</summary>
internal sealed record NamedRoutes(
    RouteGroupBuilder Group, RouteHandlerBuilder Put, RouteHandlerBuilder List, RouteHandlerBuilder Get, RouteHandlerBuilder Delete);

/// <summary>What a named resource's put binds besides its store: the circle, the name and the request.</summary>
public sealed record NamedPut(
    [FromRoute(Name = "circle")] string Circle,
    [FromRoute(Name = "name")] string Name,
    HttpRequest Request,
    IOptions<LimitsOptions> Options)
{
    public LimitsOptions Limits => Options.Value;

    /// <summary>The JSON body, or the problem with it (<see cref="Name"/> was checked before the handler ran).</summary>
    public Task<(T? Body, ProblemHttpResult? Problem)> ReadAsync<T>(CancellationToken cancellationToken)
        where T : class =>
        RequestReader.ReadJsonAsync<T>(Request, RequestReader.MaxBodyBytes(Limits), cancellationToken);
}
