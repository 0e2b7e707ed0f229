using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Api.Apis;

/// <summary>
/// What a circle's named resources (registered scripts, schedules) share: four routes under
/// <c>/circles/{circle}/{kind}s</c>, a put whose name is checked before its body is read, and
/// 201 for a new name against 200 for one put again.
/// </summary>
internal static class NamedResources
{
    /// <summary>
    /// The group and its routes, named <c>Put{kind}</c>, <c>List{kind}s</c>, <c>Get{kind}</c> and
    /// <c>Delete{kind}</c>, with the statuses all four answer alike; each caller adds the summaries.
    /// </summary>
    public static NamedRoutes MapNamedResources<TRequest>(
        this RouteGroupBuilder api, string kind, Delegate put, Delegate list, Delegate get, Delegate delete)
        where TRequest : notnull
    {
        var plural = kind + "s";
        var group = api.MapGroup($"/circles/{{circle}}/{plural.ToLowerInvariant()}")
            .WithTags(plural)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
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

    /// <summary>A put's JSON body, or a 400 naming a <paramref name="name"/> that breaks the name rule (<paramref name="what"/> is said in it).</summary>
    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadPutAsync<T>(
        string name, string what, HttpRequest request, LimitsOptions limits, CancellationToken cancellationToken)
        where T : class =>
        CircleName.IsValid(name)
            ? await RequestReader.ReadJsonAsync<T>(request, RequestReader.MaxBodyBytes(limits), cancellationToken)
            : (null, RequestReader.Invalid("name", RequestReader.NameRule(what)));

    /// <summary>201 at <paramref name="location"/> for a name put for the first time, 200 when it was there already.</summary>
    public static Results<Created<TView>, Ok<TView>, ProblemHttpResult> Put<TView>(bool created, string location, TView view) =>
        created ? TypedResults.Created(location, view) : TypedResults.Ok(view);
}

/// <summary>The routes of a named resource, for each caller's summaries and extra statuses.</summary>
internal sealed record NamedRoutes(
    RouteGroupBuilder Group, RouteHandlerBuilder Put, RouteHandlerBuilder List, RouteHandlerBuilder Get, RouteHandlerBuilder Delete);
