using Gateway.Api.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Api.Apis;

/// <summary>The circles and their queue figures.</summary>
public static class CirclesApi
{
    public static IEndpointRouteBuilder MapCirclesApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/circles").WithTags("Circles");
        group.MapGet("/", List).WithName("ListCircles").WithSummary("Every circle that has had a task, with its queue figures.");
        group.MapGet("/{circle}", Get).WithName("GetCircle").WithSummary("One circle's queue figures (zeros for a circle never used).");
        return api;
    }

    /// <summary>The circles the caller may use (all of them when the API is open).</summary>
    public static async Task<Ok<CircleListView>> List(TaskReader store, HttpContext context)
    {
        var names = (await store.ListCircleNamesAsync()).Where(context.User.MayUse).ToArray();
        var stats = await Task.WhenAll(names.Select(store.GetCircleAsync));
        return TypedResults.Ok(new CircleListView(stats.Select(CircleView.From).ToArray()));
    }

    public static async Task<Ok<CircleView>> Get(string circle, TaskReader store) =>
        TypedResults.Ok(CircleView.From(await store.GetCircleAsync(circle)));
}
