using System.Text.Json;
using Gateway.Core.Models;
using Gateway.Scripting.Modules;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Api.Apis;

/// <summary>Read-only views of a circle's domain entities, as scripts left them.</summary>
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
            group.MapGet($"/{path}", (string circle, IModelStore store) => List(circle, kind, plural, store))
                .WithName($"List{char.ToUpperInvariant(path[0])}{path[1..]}")
                .WithSummary($"Every {kind} of the circle, by id.");
            group.MapGet($"/{path}/{{id}}", (string circle, string id, IModelStore store) => Get(circle, kind, id, store))
                .WithName($"Get{char.ToUpperInvariant(kind[0])}{kind[1..]}")
                .WithSummary($"One {kind} of the circle.")
                .ProducesProblem(StatusCodes.Status404NotFound);
        }
        return api;
    }

    public static async Task<Ok<Dictionary<string, JsonElement[]>>> List(string circle, string kind, string plural, IModelStore store)
    {
        var items = await store.ListAsync(circle, kind);
        return TypedResults.Ok(new Dictionary<string, JsonElement[]>
        {
            [plural] = items.Select(StoredJson.ToElement).ToArray(),
        });
    }

    public static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> Get(string circle, string kind, string id, IModelStore store)
    {
        var json = long.TryParse(id, out var number) && number > 0 ? await store.GetAsync(circle, kind, number) : null;
        return json is null
            ? RequestReader.NotFound($"Circle '{circle}' has no {kind} '{id}'.")
            : TypedResults.Ok(StoredJson.ToElement(json));
    }
}
