using Gateway.Core.Configuration;
using Gateway.Core.Redis;
using Gateway.Core.Queueing;
using Gateway.Workers.Dispatch;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Gateway.Api.Apis;

/// <summary>Submit, read, wait for and list the tasks of a circle.</summary>
public static class TasksApi
{
    public const int MaxBatch = 1000;

    public static RouteGroupBuilder MapTasksApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/circles/{circle}/tasks")
            .WithTags("Tasks")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/", Submit)
            .WithName("SubmitTask")
            .WithSummary("Submit a task (its script, or a registered scriptName); with ?wait=S, wait up to S seconds for its result.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            // JSON per the contract; or the script itself as the body (see RequestReader.ReadSubmitAsync).
            .Accepts<SubmitRequest>("application/json", RequestReader.ScriptContentTypes)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapPost("/batch", SubmitBatch)
            .WithName("SubmitTasks")
            .WithSummary($"Submit 1–{MaxBatch} tasks in one request.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .Accepts<BatchRequest>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/{id}", Get)
            .WithName("GetTask")
            .WithSummary("Read a task; with ?wait=S, long-poll until it is finished or S seconds pass.");
        group.MapDelete("/{id}", Cancel)
            .WithName("CancelTask")
            .WithSummary("Cancel a task: a pending one leaves its queue, a running one is stopped in its engine.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/{id}/events", TaskEventStream.Stream)
            .WithName("TaskEvents")
            .WithSummary("Server-sent events: one 'status' event per state change, ending after the terminal one.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", List)
            .WithName("ListTasks")
            .WithSummary("Recent tasks of the circle, newest first.");
        return group;
    }

    /// <summary>
    /// 202 with Location; 200 when ?wait was asked and the task finished in time. With an
    /// Idempotency-Key seen before in this circle: the original task for the same body, 409 for another.
    /// </summary>
    public static async Task<Results<Ok<TaskView>, Accepted<TaskView>, ProblemHttpResult>> Submit(
        string circle,
        [FromQuery] string? wait,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        HttpRequest request,
        TaskSubmitter submitter,
        TaskReader store,
        ScriptRegistry scripts,
        TaskEvents events,
        TimeProvider time,
        IOptions<LimitsOptions> options,
        CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (!RequestReader.TryParseWait(wait, limits, out var waitFor, out var badWait))
            return badWait!;
        var (body, problem) = await RequestReader.ReadSubmitAsync(request, limits, cancellationToken);
        if (problem is not null)
            return problem;

        var errors = new Dictionary<string, string[]>();
        var caller = Security.ApiKeyFilter.CallerOf(request.HttpContext)?.Name;
        var valid = RequestReader.Validate(body!, limits, caller, field: "", errors);
        if (valid is null)
            return RequestReader.Invalid(errors);
        var (named, unknown) = await NamedScripts.ResolveAsync(scripts, circle, [valid], _ => "scriptName");
        if (unknown is not null)
            return unknown;
        var task = named![0];

        Idempotency? idempotency = null;
        if (idempotencyKey is not null)
        {
            if (idempotencyKey.Length is 0 or > MaxIdempotencyKey)
                return RequestReader.Invalid("Idempotency-Key", $"Idempotency-Key must be 1 to {MaxIdempotencyKey} characters.");
            idempotency = new Idempotency(idempotencyKey, Fingerprint(task, body!.Language), IdempotencyLifetime);
        }

        var id = TaskIds.New(time);
        // Watch before submitting, so a completion that beats us back is not missed.
        var watch = waitFor > TimeSpan.Zero ? events.Watch(circle, id) : null;
        try
        {
            // A caller that waits never sees the task pending: it may start in this process at once.
            var result = await submitter.SubmitAsync(circle, [task with { Id = id }], idempotency, runHere: watch is not null);
            if (result.QuotaExceeded)
                return QuotaExceeded(circle, limits);
            TaskRecord? current;
            if (result.ExistingId is { } existing)
            {
                if (result.ExistingFingerprint != idempotency!.Fingerprint)
                {
                    return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                        title: "The Idempotency-Key was used for a different request.",
                        detail: $"Task '{existing}' was submitted with this key and another body.");
                }
                watch?.Dispose();
                watch = waitFor > TimeSpan.Zero ? events.Watch(circle, existing) : null;
                current = watch is null
                    ? await store.GetAsync(circle, existing)
                    : await TaskWaiter.WaitAsync(store, watch, known: null, waitFor, time, cancellationToken);
                if (current is null)
                    return RequestReader.NotFound($"Task '{existing}', submitted with this Idempotency-Key, is past its retention.");
            }
            else
            {
                var submitted = result.Tasks[0];
                current = watch is null
                    ? submitted
                    : await TaskWaiter.WaitAsync(store, watch, submitted, waitFor, time, cancellationToken) ?? submitted;
            }
            return Respond(current);
        }
        finally
        {
            watch?.Dispose();
        }
    }

    /// <summary>
    /// 200 with the task cancelled (it was pending, or it stopped within the request); 202 while
    /// its stop is under way; 409 when it had already finished; 404 when unknown.
    /// </summary>
    public static async Task<Results<Ok<TaskView>, Accepted<TaskView>, ProblemHttpResult>> Cancel(
        string circle,
        string id,
        TaskQueue queue,
        TaskReader store,
        TaskEvents events,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!TaskIds.IsWellFormed(id))
            return UnknownTask(circle, id);
        using var watch = events.Watch(circle, id);
        var result = await queue.CancelAsync(circle, id);
        var task = result == CancelResult.Stopping
            ? await TaskWaiter.WaitAsync(store, watch, known: null, CancelWait, time, cancellationToken)
            : await store.GetAsync(circle, id);
        if (task is null || result == CancelResult.Missing)
            return UnknownTask(circle, id);
        if (result == CancelResult.AlreadyFinished)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: "The task has already finished.",
                detail: $"Task '{id}' is {task.Status.ToWire()}; only a pending or running task can be cancelled.");
        }
        return task.Status.IsTerminal()
            ? TypedResults.Ok(TaskView.From(task))
            : TypedResults.Accepted($"/api/circles/{circle}/tasks/{id}", TaskView.From(task));
    }

    private const int MaxIdempotencyKey = 128;

    private static readonly TimeSpan IdempotencyLifetime = TimeSpan.FromHours(24);

    /// <summary>How long a DELETE waits for a running task to stop before it answers 202.</summary>
    private static readonly TimeSpan CancelWait = TimeSpan.FromSeconds(2);

    /// <summary>What makes two submits "the same request" for an idempotency key.</summary>
    private static string Fingerprint(NewTask task, string? language)
    {
        var text = string.Join('\0', task.Script, task.ArgsJson, task.TimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            (language ?? "javascript").ToLowerInvariant(), task.ScriptName ?? "", task.ScriptVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>202 with every task, in request order; one invalid entry rejects the whole batch.</summary>
    public static async Task<Results<Accepted<BatchView>, ProblemHttpResult>> SubmitBatch(
        string circle,
        HttpRequest request,
        TaskSubmitter submitter,
        ScriptRegistry scripts,
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
        var caller = Security.ApiKeyFilter.CallerOf(request.HttpContext)?.Name;
        var tasks = new NewTask[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i] is null)
            {
                errors[$"tasks[{i}]"] = ["A task object is required."];
                continue;
            }
            tasks[i] = RequestReader.Validate(entries[i], limits, caller, field: $"tasks[{i}].", errors)!;
        }
        if (errors.Count > 0)
            return RequestReader.Invalid(errors);
        var (named, unknown) = await NamedScripts.ResolveAsync(scripts, circle, tasks, i => $"tasks[{i}].scriptName");
        if (unknown is not null)
            return unknown;

        var submitted = await submitter.SubmitAsync(circle, named!, idempotency: null);
        if (submitted.QuotaExceeded)
            return QuotaExceeded(circle, limits);
        return TypedResults.Accepted((string?)null, new BatchView(submitted.Tasks.Select(TaskView.From).ToArray()));
    }

    public static async Task<Results<Ok<TaskView>, ProblemHttpResult>> Get(
        string circle,
        string id,
        [FromQuery] string? wait,
        TaskReader store,
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
        TaskReader store)
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

    private static ProblemHttpResult QuotaExceeded(string circle, LimitsOptions limits)
    {
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests,
            title: "The circle's queue is full.",
            detail: $"Circle '{circle}' already has {limits.MaxPendingPerCircle} pending tasks, its limit; submit again when some have run.",
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = 5 });
    }

    internal static ProblemHttpResult UnknownTask(string circle, string id) =>
        RequestReader.NotFound($"Circle '{circle}' has no task '{id}' (or it is past its retention).");
}
