using System.Globalization;
using Gateway.Workers.Dispatch;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Gateway.Api.Security;
using Gateway.Api.OpenApi;

namespace Gateway.Api.Apis;

/// <summary>What both submit endpoints bind besides the circle: <c>?wait=</c>, the request, and their services.</summary>
public sealed record SubmitServices(
    [FromQuery(Name = "wait")] string? Wait,
    HttpRequest Request,
    TaskSubmitter Submitter,
    TaskReader Store,
    ScriptRegistry Scripts,
    TaskEvents Events,
    TimeProvider Time,
    IOptions<LimitsOptions> Options)
{
    public LimitsOptions Limits => Options.Value;

    /// <summary>
    /// <c>?wait=</c> first, then the body as <paramref name="read"/> reads it: both, or the 400,
    /// 413 or 415 to answer (a bad wait is answered before the body is read).
    /// </summary>
    public async Task<(T? Body, TimeSpan WaitFor, ProblemHttpResult? Problem)> ReadAsync<T>(
        Func<HttpRequest, LimitsOptions, CancellationToken, Task<(T? Body, ProblemHttpResult? Problem)>> read,
        CancellationToken cancellationToken)
    {
        if (!RequestReader.TryParseWait(Wait, Limits, out var waitFor, out var badWait))
            return (default, waitFor, badWait);
        var (body, problem) = await read(Request, Limits, cancellationToken);
        return (body, waitFor, problem);
    }
}

/// <summary>Submit, read, wait for and list the tasks of a circle.</summary>
public static class TasksApi
{
    public const int MaxBatch = 1000;
    public const int DefaultListLimit = 50;
    public const int MaxListLimit = 500;
    public const int DefaultRetryLimit = 100;

    public static RouteGroupBuilder MapTasksApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/circles/{circle}/tasks")
            .WithTags("Tasks");

        group.MapPost("/", Submit)
            .WithName("SubmitTask")
            .WithSummary("Submit a task (its script, or a registered scriptName); with ?wait=S, wait up to S seconds for its result.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            // JSON per the contract; or the script itself as the body (see RequestReader.ReadSubmitAsync).
            .Accepts<SubmitRequest>("application/json", RequestReader.ScriptContentTypes)
            .ProducesBodyProblems()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/batch", SubmitBatch)
            .WithName("SubmitTasks")
            .WithSummary($"Submit 1–{MaxBatch} tasks in one request; with ?wait=S, wait up to S seconds for all of them to finish.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .Accepts<BatchRequest>("application/json")
            .ProducesBodyProblems();
        group.MapGet("/{id}", Get)
            .WithName("GetTask")
            .WithSummary("Read a task; with ?wait=S, long-poll until it is finished or S seconds pass.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id}", Cancel)
            .WithName("CancelTask")
            .WithSummary("Cancel a task: a pending one leaves its queue, a running one is stopped in its engine; a finished one is 409.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id}/retry", Retry)
            .WithName("RetryTask")
            .WithSummary("Run a failed or cancelled task again as a new task with the same script, args and options (its retryOf names the old one).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/retry", RetryFailed)
            .WithName("RetryFailedTasks")
            .WithSummary($"Run the circle's failed tasks again, each as a new task as POST …/{{id}}/retry makes one: those no task re-runs yet, the latest failure first, at most ?limit (default {DefaultRetryLimit}).")
            .WithDescription($"Looks through the circle's newest {TaskReader.MaxRetryScanned} failed tasks, re-run ones included. Each old task's retriedBy then names its new one, "
                + "so calling again re-runs only what failed since, a re-run that failed again included; calls at the same moment re-run each failure once between them. "
                + "Answers the new tasks, in the order of the failed ones (the latest failure first).")
            .WithMetadata(new DefaultLimit(DefaultRetryLimit));
        group.MapGet("/{id}/events", TaskEventStream.Stream)
            .WithName("TaskEvents")
            .WithSummary("Server-sent events: one 'status' event per state change, ending after the terminal one.")
            .Produces<string>(StatusCodes.Status200OK, ServerSentEvents.ContentType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/stream", CircleStream.OneCircle)
            .WithName("CircleTaskEvents")
            .WithSummary("Server-sent events: one 'status' event (the task, without script and args) for every state change of every task of the circle, until the client leaves.")
            .WithDescription(CircleStream.Description)
            .ProducesEventStream();
        group.MapGet("/{id}/source", Source)
            .WithName("GetTaskSource")
            .WithSummary("The script and args a task was submitted with, and the trace id of its submit.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/tasks/stream", CircleStream.EveryCircle)
            .WithTags("Tasks")
            .WithName("AllTaskEvents")
            .WithSummary("Server-sent events: one 'status' event for every state change of every task in every circle the caller may use, until the client leaves.")
            .WithDescription(CircleStream.Description)
            .ProducesEventStream();
        group.MapGet("/", List)
            .WithName("ListTasks")
            .WithSummary("Recent tasks of the circle, newest first.")
            .WithDescription("At most `limit` tasks, newest first, starting after the task `before` (the newest when absent). " +
                $"With `status=failed`, the page is read from the circle's index of failures, the latest failure first. With another `status`, one request reads at most {TaskReader.MaxScanned} tasks of the circle's list, so a page may hold " +
                "fewer than `limit` though older tasks match. While older tasks remain, the `Link` header names the next page " +
                "(`<…?before=ID&limit=N>; rel=\"next\"`, with the same `status`).")
            .WithMetadata(new DefaultLimit(DefaultListLimit))
            .ProducesValidationProblem();
        return group;
    }

    /// <summary>
    /// 202 with Location; 200 when ?wait was asked and the task finished in time. With an
    /// Idempotency-Key seen before in this circle: the original task for the same body, 409 for another.
    /// </summary>
    public static async Task<Results<Ok<TaskView>, Accepted<TaskView>, ProblemHttpResult>> Submit(
        string circle,
        [AsParameters] SubmitServices services,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        var (body, waitFor, problem) = await services.ReadAsync(RequestReader.ReadSubmitAsync, cancellationToken);
        if (problem is not null)
            return problem;
        if (idempotencyKey is { Length: 0 or > MaxIdempotencyKey })
            return RequestReader.Invalid("Idempotency-Key", $"Idempotency-Key must be 1 to {MaxIdempotencyKey} characters.");
        // Two headers would bind as one key, "a,b": neither of the requests they came from.
        if (services.Request.Headers["Idempotency-Key"].Count > 1)
            return RequestReader.Invalid("Idempotency-Key", "Idempotency-Key is given more than once.");

        var (named, invalid) = await ReadTasksAsync([body], _ => "", circle, services);
        if (invalid is not null)
        {
            // A resend is judged as the request it repeats: one that was valid when first sent (its
            // runAt has passed since, its registered script was deleted) answers with that task.
            return idempotencyKey is not null && await EarlierSubmitAsync(circle, idempotencyKey, body!, services) is { } repeated
                ? await AnswerEarlierAsync(circle, repeated.Earlier, repeated.Fingerprint, waitFor, services, cancellationToken)
                : invalid;
        }
        var task = named![0];
        var idempotency = idempotencyKey is null ? null : new Idempotency(idempotencyKey, Fingerprint(task, body!), IdempotencyLifetime);

        var id = TaskIds.New(services.Time);
        // Watch before submitting, so a completion that beats us back is not missed.
        var watch = waitFor > TimeSpan.Zero ? services.Events.Watch(circle, id) : null;
        try
        {
            // A caller that waits never sees the task pending: it may start in this process at once.
            var result = await services.Submitter.SubmitAsync(circle, [task with { Id = id }], idempotency, runHere: watch is not null);
            if (result.QuotaExceeded)
                return QuotaExceeded(circle, services.Limits, services.Request.HttpContext.Response);
            if (result.Existing is { } earlier)
            {
                watch?.Dispose();
                watch = null;
                return await AnswerEarlierAsync(circle, earlier, idempotency!.Fingerprint, waitFor, services, cancellationToken);
            }
            var submitted = result.Tasks[0];
            return Respond(watch is null
                ? submitted
                : await TaskWaiter.WaitAsync(services.Store, watch, submitted, waitFor, services.Time, cancellationToken) ?? submitted);
        }
        finally
        {
            watch?.Dispose();
        }
    }

    /// <summary>
    /// The answer to a submit whose Idempotency-Key was used before in the circle: the task that
    /// submit made (waited for as asked) when the bodies match, 409 when they do not.
    /// </summary>
    private static async Task<Results<Ok<TaskView>, Accepted<TaskView>, ProblemHttpResult>> AnswerEarlierAsync(
        string circle, IdempotencyRecord earlier, string fingerprint, TimeSpan waitFor, SubmitServices services, CancellationToken cancellationToken)
    {
        if (earlier.Fingerprint != fingerprint)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: "The Idempotency-Key was used for a different request.",
                detail: $"Task '{earlier.TaskId}' was submitted with this key and another body.");
        }
        using var watch = waitFor > TimeSpan.Zero ? services.Events.Watch(circle, earlier.TaskId) : null;
        var current = watch is null
            ? await services.Store.GetAsync(circle, earlier.TaskId)
            : await TaskWaiter.WaitAsync(services.Store, watch, known: null, waitFor, services.Time, cancellationToken);
        return current is null
            ? RequestReader.NotFound($"Task '{earlier.TaskId}', submitted with this Idempotency-Key, is past its retention.")
            : Respond(current);
    }

    /// <summary>
    /// The earlier submit with this key, and the fingerprint of <paramref name="body"/> as it was
    /// judged then (at the first task's creation, without looking up a registered script: the
    /// fingerprint names it); null when the key is unused, its task is gone, or the body was
    /// invalid then too.
    /// </summary>
    private static async Task<(IdempotencyRecord Earlier, string Fingerprint)?> EarlierSubmitAsync(
        string circle, string idempotencyKey, SubmitRequest body, SubmitServices services)
    {
        if (await services.Store.GetIdempotencyAsync(circle, idempotencyKey) is not { } earlier ||
            await services.Store.GetAsync(circle, earlier.TaskId) is not { } first)
            return null;
        var task = RequestReader.Validate(body, services.Limits, services.Request.HttpContext.User.CallerName(), "", [], first.CreatedAt);
        return task is null ? null : (earlier, Fingerprint(task, body));
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
        if (result == CancelResult.Missing)
            return UnknownTask(circle, id);
        var task = result == CancelResult.Stopping
            ? await TaskWaiter.WaitAsync(store, watch, known: null, CancelWait, time, cancellationToken)
            : await store.GetAsync(circle, id);
        if (task is null)
            return UnknownTask(circle, id);
        // A second DELETE, or a run that ended on its own before its worker could stop it: no cancel.
        if (result == CancelResult.AlreadyFinished || task.Status is TaskState.Completed or TaskState.Failed)
            return AlreadyFinished(task);
        return task.Status.IsTerminal()
            ? TypedResults.Ok(TaskView.From(task))
            : TypedResults.Accepted($"/api/circles/{circle}/tasks/{id}", TaskView.From(task));
    }

    private static ProblemHttpResult AlreadyFinished(TaskRecord task) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
            title: "The task has already finished.",
            detail: $"Task '{task.Id}' is {task.Status.ToWire()}; only a pending or running task can be cancelled.");

    private const int MaxIdempotencyKey = 128;

    private static readonly TimeSpan IdempotencyLifetime = TimeSpan.FromHours(24);

    /// <summary>How long a DELETE waits for a running task to stop before it answers 202.</summary>
    private static readonly TimeSpan CancelWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// What makes two submits "the same request" for an idempotency key: the body as sent, its args
    /// without the whitespace between tokens (a delay
    /// counts as given, not as the instant it made; a registered script by its name and the version
    /// asked for, not the text it resolved to, so a new version does not turn a resend into a 409).
    /// </summary>
    private static string Fingerprint(NewTask task, SubmitRequest body)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        var text = string.Join('\0', body.Script ?? "", CompactJson(body.Args), task.TimeoutMs.ToString(invariant),
            (body.Language ?? ScriptLanguages.JavaScript).ToLowerInvariant(), task.Priority.ToString(invariant),
            body.RunAt?.ToUnixTimeMilliseconds().ToString(invariant) ?? "", body.DelayMs?.ToString(invariant) ?? "",
            task.Retry is { } retry ? FormattableString.Invariant($"{retry.Attempts},{retry.BackoffMs},{retry.Factor:R}") : "",
            body.ScriptName ?? "", body.ScriptVersion?.ToString(invariant) ?? "");
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    private static string CompactJson(System.Text.Json.JsonElement? value)
    {
        if (value is not { } element)
            return "null";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        // Written as sent where the text allows (no escaping of non-ASCII or of <>&'+), so that the
        // fingerprint of a compact body is what it was before whitespace was taken out.
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions
               {
                   Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
               }))
            element.WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// 202 with every task, in request order; one invalid entry rejects the whole batch. With
    /// ?wait=S: 200 when every task finished within S seconds, else 202 with each as it stands.
    /// </summary>
    public static async Task<Results<Ok<BatchView>, Accepted<BatchView>, ProblemHttpResult>> SubmitBatch(
        string circle,
        [AsParameters] SubmitServices services,
        CancellationToken cancellationToken)
    {
        var (body, waitFor, problem) = await services.ReadAsync(
            static (request, limits, cancel) => RequestReader.ReadJsonAsync<BatchRequest>(request, RequestReader.MaxBodyBytes(limits, tasks: 16), cancel),
            cancellationToken);
        if (problem is not null)
            return problem;
        if (body!.Tasks is not { Count: > 0 and <= MaxBatch } entries)
            return RequestReader.Invalid("tasks", $"tasks must hold 1 to {MaxBatch} tasks.");

        var (named, invalid) = await ReadTasksAsync(entries, i => $"tasks[{i}].", circle, services);
        if (invalid is not null)
            return invalid;

        if (waitFor <= TimeSpan.Zero)
        {
            var submitted = await services.Submitter.SubmitAsync(circle, named!, idempotency: null);
            if (submitted.QuotaExceeded)
                return QuotaExceeded(circle, services.Limits, services.Request.HttpContext.Response);
            return TypedResults.Accepted((string?)null, new BatchView(submitted.Tasks.Select(TaskView.From).ToArray()));
        }

        // Watch every task before submitting, so that completions that beat us back are not missed.
        var waited = named!.Select(t => t with { Id = TaskIds.New(services.Time) }).ToArray();
        var watches = waited.Select(t => services.Events.Watch(circle, t.Id!)).ToArray();
        try
        {
            var submitted = await services.Submitter.SubmitAsync(circle, waited, idempotency: null);
            if (submitted.QuotaExceeded)
                return QuotaExceeded(circle, services.Limits, services.Request.HttpContext.Response);
            var finished = await TaskWaiter.WaitAllAsync(services.Store, watches, submitted.Tasks, waitFor, services.Time, cancellationToken);
            var view = new BatchView(finished.Select(TaskView.From).ToArray());
            return finished.All(t => t.Status.IsTerminal()) ? TypedResults.Ok(view) : TypedResults.Accepted((string?)null, view);
        }
        finally
        {
            foreach (var watch in watches)
                watch.Dispose();
        }
    }

    /// <summary>
    /// The submitted tasks checked, each field named with <paramref name="field"/>'s prefix for its
    /// index, and their registered scripts filled in: the tasks to submit, or the 400 or 404 to answer.
    /// </summary>
    private static async Task<(NewTask[]? Tasks, ProblemHttpResult? Problem)> ReadTasksAsync(
        IReadOnlyList<SubmitRequest?> bodies, Func<int, string> field, string circle, SubmitServices services)
    {
        var errors = new Dictionary<string, string[]>();
        var caller = services.Request.HttpContext.User.CallerName();
        var now = services.Time.GetUtcNow();
        var limits = services.Limits;
        var tasks = new NewTask[bodies.Count];
        for (var i = 0; i < bodies.Count; i++)
        {
            if (bodies[i] is { } body)
                tasks[i] = RequestReader.Validate(body, limits, caller, field(i), errors, now)!;
            else
                errors[field(i).TrimEnd('.')] = ["A task object is required."];
        }
        if (errors.Count > 0)
            return (null, RequestReader.Invalid(errors));
        return await NamedScripts.ResolveAsync(services.Scripts, circle, tasks, i => field(i) + "scriptName");
    }

    /// <summary>
    /// 202 with a new task that runs the failed or cancelled task's script and args again with its
    /// options (timeout, priority, retry policy; not its delay); 409 for a task in any other state.
    /// </summary>
    public static async Task<Results<Accepted<TaskView>, ProblemHttpResult>> Retry(
        string circle,
        string id,
        HttpRequest request,
        TaskReader store,
        TaskSubmitter submitter,
        IOptions<LimitsOptions> options)
    {
        if (await store.GetDefinitionAsync(circle, id) is not { } old)
            return UnknownTask(circle, id);
        if (old.Status is not (TaskState.Failed or TaskState.Cancelled))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: "Only a failed or cancelled task can be retried.",
                detail: $"Task '{id}' is {old.Status.ToWire()}.");
        }
        var caller = request.HttpContext.User.CallerName();
        var submitted = await submitter.SubmitAsync(circle, [old.Task with { Caller = caller, RetryOf = id }], idempotency: null);
        if (submitted.QuotaExceeded)
            return QuotaExceeded(circle, options.Value, request.HttpContext.Response);
        var task = submitted.Tasks[0];
        return TypedResults.Accepted($"/api/circles/{circle}/tasks/{task.Id}", TaskView.From(task));
    }

    /// <summary>202 with the new tasks that re-run the circle's failed tasks no task re-runs yet (<see cref="TaskReader.ListFailuresToRetryAsync"/>).</summary>
    public static async Task<Results<Accepted<BatchView>, ProblemHttpResult>> RetryFailed(
        string circle,
        [FromQuery] string? limit,
        HttpRequest request,
        TaskReader store,
        TaskSubmitter submitter,
        IOptions<LimitsOptions> options)
    {
        if (!RequestReader.TryParseLimit(limit, DefaultRetryLimit, out var count, out var badLimit))
            return badLimit;
        var caller = request.HttpContext.User.CallerName();
        var reRuns = (await store.ListFailuresToRetryAsync(circle, count)).Select(f => f.Task with { Caller = caller, RetryOf = f.Id }).ToList();
        // Each failure is re-run once: a call at the same moment that re-ran some of them first
        // leaves those out, and the rest are submitted again.
        while (reRuns.Count > 0)
        {
            var submitted = await submitter.SubmitAsync(circle, reRuns, idempotency: null, reRunOnce: true);
            if (submitted.QuotaExceeded)
                return QuotaExceeded(circle, options.Value, request.HttpContext.Response);
            if (submitted.ReRunAlready.Count == 0)
                return TypedResults.Accepted((string?)null, new BatchView(submitted.Tasks.Select(TaskView.From).ToArray()));
            var taken = submitted.ReRunAlready.ToHashSet();
            reRuns = reRuns.Where((_, i) => !taken.Contains(i)).ToList();
        }
        return TypedResults.Accepted((string?)null, new BatchView([]));
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

    public static async Task<Results<Ok<TaskSourceView>, ProblemHttpResult>> Source(
        string circle,
        string id,
        TaskReader store)
    {
        var source = await store.GetSourceAsync(circle, id);
        return source is null ? UnknownTask(circle, id) : TypedResults.Ok(TaskSourceView.From(id, source));
    }

    public static async Task<Results<Ok<TaskListView>, ProblemHttpResult>> List(
        string circle,
        [FromQuery] string? status,
        [FromQuery] string? limit,
        [FromQuery] string? before,
        TaskReader store,
        HttpResponse response)
    {
        TaskState? state = null;
        if (status is not null)
        {
            if (!TaskStates.TryParse(status, out var parsed))
                return RequestReader.Invalid("status", $"status must be one of {string.Join(", ", TaskStates.All)}.");
            state = parsed;
        }
        if (!RequestReader.TryParseLimit(limit, DefaultListLimit, out var count, out var badLimit))
            return badLimit;
        if (before is not null && !TaskIds.IsWellFormed(before))
            return RequestReader.Invalid("before", "before must be a task id: 32 lowercase hex digits.");

        var page = await store.ListAsync(circle, state, count, before);
        if (page.Next is { } next)
            response.LinkNextPage($"before={next}&limit={count}{(state is { } s ? "&status=" + s.ToWire() : "")}");
        return TypedResults.Ok(new TaskListView(page.Tasks.Select(TaskView.From).ToArray()));
    }

    internal static Results<Ok<TaskView>, Accepted<TaskView>, ProblemHttpResult> Respond(TaskRecord task) =>
        task.Status.IsTerminal()
            ? TypedResults.Ok(TaskView.From(task))
            : TypedResults.Accepted($"/api/circles/{task.Circle}/tasks/{task.Id}", TaskView.From(task));

    /// <summary>429 with <c>Retry-After</c>, as the rate limiter answers: a client that honours the header waits before it submits again.</summary>
    private static ProblemHttpResult QuotaExceeded(string circle, LimitsOptions limits, HttpResponse response)
    {
        const int retryAfterSeconds = 5;
        response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests,
            title: "The circle's queue is full.",
            detail: $"Circle '{circle}' already has {limits.MaxPendingPerCircle} pending tasks, its limit; submit again when some have run.",
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = retryAfterSeconds });
    }

    internal static ProblemHttpResult UnknownTask(string circle, string id) =>
        RequestReader.NotFound($"Circle '{circle}' has no task '{id}' (or it is past its retention).");
}
