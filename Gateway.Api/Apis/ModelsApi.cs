using System.Text.Json;
using Gateway.Core.Models;
using Gateway.Scripting.Modules;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Apis;

/// <summary>
/// Views of a circle's domain entities, as scripts left them; an operator may delete one (to
/// give its bytes back when the circle is at its limit). Entities that refer to a deleted one
/// are left as they are, as when a script deletes it.
/// </summary>
public static class ModelsApi
{
    private static readonly (string Path, string Kind, string Plural)[] Views =
    [
        ("calendars", ModelKinds.Calendar, "calendars"),
        ("events", ModelKinds.Event, "events"),
        ("flows", ModelKinds.Flow, "flows"),
        ("contracts", ModelKinds.Contract, "contracts"),
    ];

    public static IEndpointRouteBuilder MapModelsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/circles/{circle}")
            .WithTags("Domain");
        foreach (var (path, kind, plural) in Views)
        {
            group.MapGet($"/{path}", ([FromRoute] string circle, [FromQuery] string? limit, [FromQuery] string? after, IModelStore store, HttpResponse response) =>
                    List(circle, kind, plural, limit, after, store, response))
                .WithName($"List{char.ToUpperInvariant(path[0])}{path[1..]}")
                .WithSummary($"The circle's {plural}, by id: every one, or a page of them.")
                .WithDescription($"Without `limit` or `after`, every {kind} of the circle. With them, at most `limit` " +
                    $"(default {MaxPage}) whose ids come after `after`; when more remain, the response's `Link` header " +
                    "names the next page (`<…?after=ID&limit=N>; rel=\"next\"`).")
                .ProducesValidationProblem();
            group.MapGet($"/{path}/{{id}}", (string circle, string id, IModelStore store) => Get(circle, kind, id, store))
                .WithName($"Get{char.ToUpperInvariant(kind[0])}{kind[1..]}")
                .WithSummary($"One {kind} of the circle.")
                .ProducesProblem(StatusCodes.Status404NotFound);
            group.MapDelete($"/{path}/{{id}}", (string circle, string id, IModelStore store) => Delete(circle, kind, id, store))
                .WithName($"Delete{char.ToUpperInvariant(kind[0])}{kind[1..]}")
                .WithSummary($"Deletes one {kind} of the circle; its bytes count no more against the circle's limit.")
                .ProducesProblem(StatusCodes.Status404NotFound);
        }
        return api;
    }

    /// <summary>The most entities one page holds: the bound every list of the contract shares.</summary>
    public const int MaxPage = TasksApi.MaxListLimit;

    public static async Task<Results<Ok<Dictionary<string, JsonElement[]>>, ProblemHttpResult>> List(
        string circle, string kind, string plural, string? limit, string? after, IModelStore store, HttpResponse response)
    {
        if (limit is null && after is null)
            return Page(plural, await store.ListAsync(circle, kind));

        if (!RequestReader.TryParseLimit(limit, MaxPage, out var count, out var badLimit))
            return badLimit;
        long from = 0;
        if (after is not null && (!long.TryParse(after, out from) || from < 0))
            return RequestReader.Invalid("after", "after must be an entity id: a whole number, 0 or more.");

        var page = await store.ListPageAsync(circle, kind, from, count);
        if (page.Next is { } next)
            response.LinkNextPage($"after={next}&limit={count}");
        return Page(plural, page.Items);
    }

    private static Ok<Dictionary<string, JsonElement[]>> Page(string plural, IReadOnlyList<string> items) =>
        TypedResults.Ok(new Dictionary<string, JsonElement[]>
        {
            [plural] = items.Select(StoredJson.ToElement).ToArray(),
        });

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string circle, string kind, string id, IModelStore store) =>
        long.TryParse(id, out var number) && number > 0 && await store.DeleteAsync(circle, kind, number)
            ? TypedResults.NoContent()
            : RequestReader.NotFound($"Circle '{circle}' has no {kind} '{id}'.");

    public static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> Get(string circle, string kind, string id, IModelStore store)
    {
        var json = long.TryParse(id, out var number) && number > 0 ? await store.GetAsync(circle, kind, number) : null;
        return json is null
            ? RequestReader.NotFound($"Circle '{circle}' has no {kind} '{id}'.")
            : TypedResults.Ok(StoredJson.ToElement(json));
    }
}
