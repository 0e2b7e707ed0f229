using Gateway.Api.Security;
using Gateway.Core.Models;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Apis;

/// <summary>The circles, their queue figures and what their domain entities take against the limit.</summary>
public static class CirclesApi
{
    public static IEndpointRouteBuilder MapCirclesApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/circles").WithTags("Circles");
        group.MapGet("/", List).WithName("ListCircles").WithSummary("Every circle that has had a task, with its queue figures and the bytes its entities take.");
        group.MapGet("/{circle}", Get).WithName("GetCircle").WithSummary("One circle's queue figures and the bytes its entities take (zeros for a circle never used).");
        group.MapPost("/{circle}/pause", (string circle, TaskReader store, IModelStore models, CirclePauses pauses) => SetPausedAsync(circle, true, store, models, pauses))
            .WithName("PauseCircle")
            .WithSummary("Pause the circle: its tasks are still accepted and wait; no worker claims one until it is resumed. Tasks already running finish.")
            .WithDescription("Once this answers, no worker process claims a task of the circle, nor starts one submitted to it: the scripts that lease a task read the pause in the same step. Schedules go on firing, and delayed tasks come due, into the waiting queue. Pausing a paused circle changes nothing.");
        group.MapPost("/{circle}/resume", (string circle, TaskReader store, IModelStore models, CirclePauses pauses) => SetPausedAsync(circle, false, store, models, pauses))
            .WithName("ResumeCircle")
            .WithSummary("Resume a paused circle: workers claim its waiting tasks again, highest priority first.");
        group.MapPost("/{circle}/drain", Drain)
            .WithName("DrainCircle")
            .WithSummary("Cancel every task waiting in the circle, in any priority; with ?scheduled=true the scheduled ones too. Running tasks go on.")
            .WithDescription("Each task is cancelled as a cancel of that task would: it never runs, ends `cancelled`, and its change reaches the streams. "
                + "Tasks submitted while the drain works may be cancelled too; schedules go on firing. Pause the circle first to let nothing start "
                + "meanwhile. Answers how many tasks were cancelled and the circle's figures after.");
        return api;
    }

    /// <summary>Cancels the circle's waiting tasks (<see cref="TaskQueue.DrainAsync"/>); 400 naming <c>scheduled</c> when it is not true or false.</summary>
    public static async Task<Results<Ok<DrainView>, ProblemHttpResult>> Drain(
        string circle, [FromQuery] string? scheduled, TaskQueue queue, TaskReader store, IModelStore models)
    {
        if (!bool.TryParse(scheduled ?? "false", out var withScheduled))
            return RequestReader.Invalid("scheduled", "scheduled must be true or false.");
        var cancelled = await queue.DrainAsync(circle, withScheduled);
        return TypedResults.Ok(new DrainView(cancelled, await Figures(circle, store, models)));
    }

    /// <summary>Pauses or resumes the circle; answers its figures as they stand after.</summary>
    private static async Task<Ok<CircleView>> SetPausedAsync(string circle, bool paused, TaskReader store, IModelStore models, CirclePauses pauses)
    {
        await pauses.SetAsync(circle, paused);
        return TypedResults.Ok(await Figures(circle, store, models));
    }

    /// <summary>The circles the caller may use (all of them when the API is open).</summary>
    public static async Task<Ok<CircleListView>> List(TaskReader store, IModelStore models, HttpContext context)
    {
        var names = (await store.ListCircleNamesAsync()).Where(context.User.MayUse).ToArray();
        return TypedResults.Ok(new CircleListView(await Task.WhenAll(names.Select(name => Figures(name, store, models)))));
    }

    public static async Task<Ok<CircleView>> Get(string circle, TaskReader store, IModelStore models) =>
        TypedResults.Ok(await Figures(circle, store, models));

    private static async Task<CircleView> Figures(string circle, TaskReader store, IModelStore models)
    {
        var stats = store.GetCircleAsync(circle);
        var entities = models.GetUsageAsync(circle);
        return CircleView.From(await stats, await entities);
    }
}
