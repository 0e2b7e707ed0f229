using Gateway.Core.Configuration;
using Gateway.Core.Redis;
using Gateway.Core.Tasks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Apis;

/// <summary>Submit, read, wait for and list the tasks of a circle.</summary>
public static class TasksApi
{
    public const int MaxBatch = 1000;

    public static RouteGroupBuilder MapTasksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/circles/{circle}/tasks")
            .WithTags("Tasks")
            .AddEndpointFilter<CircleFilter>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/", Submit)
            .WithName("SubmitTask")
            .WithSummary("Submit a task; with ?wait=S, wait up to S seconds for its result.")
            .Accepts<SubmitRequest>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapPost("/batch", SubmitBatch)
            .WithName("SubmitTasks")
            .WithSummary($"Submit 1–{MaxBatch} tasks in one request.")
            .Accepts<BatchRequest>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/{id}", Get)
            .WithName("GetTask")
            .WithSummary("Read a task; with ?wait=S, long-poll until it is finished or S seconds pass.");
        group.MapGet("/", List)
            .WithName("ListTasks")
            .WithSummary("Recent tasks of the circle, newest first.");
        return group;
    }

    /// <summary>202 with Location; 200 when ?wait was asked and the task finished in time.</summary>
    public static async Task<Results<Ok<TaskView>, Accepted<TaskView>, ProblemHttpResult>> Submit(
        string circle,
        [FromQuery] string? wait,
        HttpRequest request,
        TaskStore store,
        TaskEvents events,
        TimeProvider time,
        IOptions<LimitsOptions> options,
        CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (!RequestReader.TryParseWait(wait, limits, out var waitFor, out var badWait))
            return badWait!;
        var (body, problem) = await RequestReader.ReadJsonAsync<SubmitRequest>(request, RequestReader.MaxBodyBytes(limits), cancellationToken);
        if (problem is not null)
            return problem;

        var errors = new Dictionary<string, string[]>();
        var task = RequestReader.Validate(body!, limits, caller: null, field: "", errors);
        if (task is null)
            return RequestReader.Invalid(errors);

        var id = TaskIds.New(time);
        // Watch before submitting, so a completion that beats us back is not missed.
        using var watch = waitFor > TimeSpan.Zero ? events.Watch(circle, id) : null;
        var submitted = (await store.SubmitAsync(circle, [task with { Id = id }]))[0];
        var current = watch is null
            ? submitted
            : await TaskWaiter.WaitAsync(store, watch, submitted, waitFor, time, cancellationToken) ?? submitted;
        return Respond(current);
    }

    /// <summary>202 with every task, in request order; one invalid entry rejects the whole batch.</summary>
    public static async Task<Results<Accepted<BatchView>, ProblemHttpResult>> SubmitBatch(
        string circle,
        HttpRequest request,
        TaskStore store,
        IOptions<LimitsOptions> options,
        CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var (body, problem) = await RequestReader.ReadJsonAsync<BatchRequest>(
            request, RequestReader.MaxBodyBytes(limits, tasks: 16), cancellationToken);
        if (problem is not null)
            return problem;
        if (body!.Tasks is not { Count: > 0 and <= MaxBatch } entries)
            return RequestReader.Invalid("tasks", $"tasks must hold 1 to {MaxBatch} tasks.");

        var errors = new Dictionary<string, string[]>();
        var tasks = new NewTask[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is null)
            {
                errors[$"tasks[{i}]"] = ["A task object is required."];
                continue;
            }
            tasks[i] = RequestReader.Validate(entries[i], limits, caller: null, field: $"tasks[{i}].", errors)!;
        }
        if (errors.Count > 0)
            return RequestReader.Invalid(errors);

        var submitted = await store.SubmitAsync(circle, tasks);
        return TypedResults.Accepted((string?)null, new BatchView(submitted.Select(TaskView.From).ToArray()));
    }

    public static async Task<Results<Ok<TaskView>, ProblemHttpResult>> Get(
        string circle,
        string id,
        [FromQuery] string? wait,
        TaskStore store,
        TaskEvents events,
        TimeProvider time,
        IOptions<LimitsOptions> options,
        CancellationToken cancellationToken)
    {
        if (!RequestReader.TryParseWait(wait, options.Value, out var waitFor, out var badWait))
            return badWait!;
        if (!TaskIds.IsWellFormed(id))
            return UnknownTask(circle, id);

        TaskRecord? task;
        if (waitFor > TimeSpan.Zero)
        {
            using var watch = events.Watch(circle, id);
            task = await TaskWaiter.WaitAsync(store, watch, known: null, waitFor, time, cancellationToken);
        }
        else
        {
            task = await store.GetAsync(circle, id);
        }
        return task is null ? UnknownTask(circle, id) : TypedResults.Ok(TaskView.From(task));
    }

    public static async Task<Results<Ok<TaskListView>, ProblemHttpResult>> List(
        string circle,
        [FromQuery] string? status,
        [FromQuery] string? limit,
        TaskStore store)
    {
        TaskState? state = null;
        if (status is not null)
        {
            if (!TaskStates.TryParse(status, out var parsed))
                return RequestReader.Invalid("status", "status must be one of pending, processing, completed, failed, cancelled.");
            state = parsed;
        }
        var count = 50;
        if (limit is not null && (!int.TryParse(limit, out count) || count is < 1 or > 500))
            return RequestReader.Invalid("limit", "limit must be a whole number from 1 to 500.");

        var tasks = await store.ListAsync(circle, state, count);
        return TypedResults.Ok(new TaskListView(tasks.Select(TaskView.From).ToArray()));
    }

    internal static Results<Ok<TaskView>, Accepted<TaskView>, ProblemHttpResult> Respond(TaskRecord task) =>
        task.Status.IsTerminal()
            ? TypedResults.Ok(TaskView.From(task))
            : TypedResults.Accepted($"/api/circles/{task.Circle}/tasks/{task.Id}", TaskView.From(task));

    internal static ProblemHttpResult UnknownTask(string circle, string id) =>
        RequestReader.NotFound($"Circle '{circle}' has no task '{id}' (or it is past its retention).");
}
