using System.Globalization;
using System.Runtime.CompilerServices;
using Gateway.Client.Wire;

namespace Gateway.Client;

public sealed partial class GatewayClient
{
    /// <summary>
    /// Submits a script and waits for it to finish: the submit asks the server to wait, then the
    /// client long-polls until <paramref name="timeout"/> (default
    /// <see cref="GatewayClientOptions.DefaultRunTimeout"/>) has passed.
    /// </summary>
    /// <param name="circle">The circle (queue) to run in.</param>
    /// <param name="script">The script text; null when <see cref="SubmitOptions.ScriptName"/> names a registered one.</param>
    /// <param name="args">Visible to the script as <c>args</c>: a <see cref="System.Text.Json.JsonElement"/>, a <c>JsonNode</c>, or any object (serialized with <see cref="GatewayClientOptions.ArgsSerializerOptions"/>).</param>
    /// <param name="timeout">How long the caller waits for the result.</param>
    /// <param name="options">How to run the task.</param>
    /// <param name="cancellationToken">Stops waiting (the task goes on).</param>
    /// <returns>The completed task; read its value with <see cref="GatewayTask.GetResult{T}(System.Text.Json.Serialization.Metadata.JsonTypeInfo{T})"/>.</returns>
    /// <exception cref="ScriptFailedException">The script failed; it carries the code, message, line, column, output and task id.</exception>
    /// <exception cref="TaskWaitTimeoutException">The task was not finished within <paramref name="timeout"/>; it carries the task id.</exception>
    /// <exception cref="TaskWasCancelledException">Someone cancelled the task.</exception>
    /// <exception cref="GatewayApiException">The API refused the request, or was unavailable beyond the retries.</exception>
    public async Task<GatewayTask> RunAsync(
        string circle,
        string? script,
        object? args = null,
        TimeSpan? timeout = null,
        SubmitOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? _options.DefaultRunTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero, nameof(timeout));
        var started = _time.GetTimestamp();
        var task = await SubmitAsync(circle, script, args, options, PollFor(limit), cancellationToken).ConfigureAwait(false);
        task = await PollUntilAsync(task, limit, started, cancellationToken).ConfigureAwait(false);
        return task.Status switch
        {
            GatewayTaskStatus.Completed => task,
            GatewayTaskStatus.Failed => throw new ScriptFailedException(task),
            GatewayTaskStatus.Cancelled => throw new TaskWasCancelledException(task),
            _ => throw new TaskWaitTimeoutException(task, limit),
        };
    }

    /// <summary>
    /// Submits one task. With <paramref name="wait"/>, the server holds the answer until the task
    /// finishes or the wait passes (at most its maximum, 60 s by default); otherwise the task comes
    /// back pending (or scheduled). Retries re-send the same <c>Idempotency-Key</c>.
    /// </summary>
    /// <param name="circle">The circle (queue) to run in.</param>
    /// <param name="script">The script text; null when <see cref="SubmitOptions.ScriptName"/> names a registered one.</param>
    /// <param name="args">As for <see cref="RunAsync"/>.</param>
    /// <param name="options">How to run the task, and its idempotency key.</param>
    /// <param name="wait">How long the server may hold the answer.</param>
    /// <param name="cancellationToken">Cancels the request (a task already accepted goes on).</param>
    public Task<GatewayTask> SubmitAsync(
        string circle,
        string? script,
        object? args = null,
        SubmitOptions? options = null,
        TimeSpan? wait = null,
        CancellationToken cancellationToken = default)
    {
        if (options?.IdempotencyKey is { } key && (key.Length is 0 or > 128 || !HeaderText.IsPrintable(key)))
            throw new ArgumentException($"An idempotency key is 1 to 128 characters of printable ASCII (got '{key.ReplaceLineEndings(" ")}').", nameof(options));
        var body = Body(script, args, options);
        var path = $"{CirclePath(circle)}/tasks" + (wait is { } w ? "?wait=" + Seconds(w) : "");
        var request = Json(HttpMethod.Post, path, body, ClientJson.Default.SubmitBody);
        WaitsFor(request, wait);
        request.Headers.Add("Idempotency-Key", options?.IdempotencyKey ?? NewIdempotencyKey());
        return SendAsync(request, ClientJson.Default.GatewayTask, cancellationToken);
    }

    /// <summary>
    /// Submits 1–1000 tasks in one request, answered in the same order; one invalid entry rejects
    /// the whole batch. The API keeps no idempotency key for a batch, so it is retried only when it
    /// surely did not arrive (connection refused) or the server said it did nothing (429).
    /// </summary>
    /// <param name="circle">The circle (queue) to run in.</param>
    /// <param name="tasks">The tasks.</param>
    /// <param name="wait">Hold the answer until every task finished or this passed (the server answers 200 when all finished, else 202).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The tasks in request order; <see cref="SubmittedBatch.AllFinished"/> says whether every one had finished.</returns>
    public async Task<SubmittedBatch> SubmitBatchAsync(
        string circle,
        IEnumerable<TaskSubmission> tasks,
        TimeSpan? wait = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var bodies = tasks.Select(t => Body(t.Script, t.Args, t.Options)).ToArray();
        var path = $"{CirclePath(circle)}/tasks/batch" + (wait is { } w ? "?wait=" + Seconds(w) : "");
        var request = Json(HttpMethod.Post, path, new BatchBody(bodies), ClientJson.Default.BatchBody);
        GatewayResilience.MarkUnrepeatable(request);
        WaitsFor(request, wait);
        // Sent for a server that de-duplicates batches too; today's ignores it.
        request.Headers.Add("Idempotency-Key", NewIdempotencyKey());
        var list = await SendAsync(request, ClientJson.Default.TaskList, cancellationToken).ConfigureAwait(false);
        return new SubmittedBatch(list.Tasks);
    }

    /// <summary>
    /// Runs a failed or cancelled task again as a new task with the same script, args and options;
    /// the new task's <see cref="GatewayTask.RetryOf"/> names the old one.
    /// </summary>
    /// <param name="circle">The task's circle.</param>
    /// <param name="id">The failed or cancelled task.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The new task, as accepted (pending).</returns>
    /// <exception cref="GatewayApiException">409 when the task is neither failed nor cancelled; 404 when unknown.</exception>
    public Task<GatewayTask> RetryAsync(string circle, string id, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, TaskPath(circle, id) + "/retry");
        // Each call makes a new task (the API keeps no idempotency key for it): sent twice, it would make two.
        GatewayResilience.MarkUnrepeatable(request);
        return SendAsync(request, ClientJson.Default.GatewayTask, cancellationToken);
    }

    /// <summary>
    /// Runs the circle's failed tasks again, each as a new task as <see cref="RetryAsync"/> makes
    /// one: those that no task re-runs yet (<see cref="GatewayTask.RetriedBy"/>), newest first, at
    /// most <paramref name="limit"/> (1 to 500), among the circle's newest 20 000 tasks. Calling
    /// again re-runs only what failed since, a re-run that failed again included; calls at the same
    /// moment re-run each failure once between them.
    /// </summary>
    /// <returns>The new tasks, as accepted, in the order of the failed ones.</returns>
    /// <exception cref="GatewayApiException">400 naming <c>limit</c> when out of range; 429 when the circle's queue is full.</exception>
    public async Task<IReadOnlyList<GatewayTask>> RetryFailedAsync(string circle, int limit = 100, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{CirclePath(circle)}/tasks/retry?limit={limit.ToString(CultureInfo.InvariantCulture)}");
        // Sent twice, it could re-run the first call's re-runs that failed meanwhile.
        GatewayResilience.MarkUnrepeatable(request);
        var list = await SendAsync(request, ClientJson.Default.TaskList, cancellationToken).ConfigureAwait(false);
        return list.Tasks;
    }

    /// <summary>Reads a task; with <paramref name="wait"/>, the server holds the answer until it is finished or the wait passes.</summary>
    /// <exception cref="GatewayApiException">404 when the task is unknown or past its retention.</exception>
    public Task<GatewayTask> GetAsync(string circle, string id, TimeSpan? wait = null, CancellationToken cancellationToken = default)
    {
        var path = TaskPath(circle, id) + (wait is { } w ? "?wait=" + Seconds(w) : "");
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        WaitsFor(request, wait);
        return SendAsync(request, ClientJson.Default.GatewayTask, cancellationToken);
    }

    /// <summary>
    /// What a task was submitted with: the script it runs (for a task submitted by a registered
    /// script's name, the text of the version it resolved to), its args and the trace id of its
    /// submit. Read apart from <see cref="GetAsync"/>, which never carries a script it does not need.
    /// </summary>
    /// <exception cref="GatewayApiException">404 when the task is unknown or past its retention.</exception>
    public Task<GatewayTaskSource> GetSourceAsync(string circle, string id, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, TaskPath(circle, id) + "/source"), ClientJson.Default.GatewayTaskSource, cancellationToken);

    /// <summary>A request the server may hold for <paramref name="wait"/>: its attempt is given that long, and more.</summary>
    private static void WaitsFor(HttpRequestMessage request, TimeSpan? wait)
    {
        if (wait is { } w)
            request.Options.Set(GatewayResilience.Wait, w);
    }

    /// <summary>
    /// Long-polls a task until it is finished or <paramref name="timeout"/> passes, and returns it
    /// as it then stands (check <see cref="GatewayTask.IsTerminal"/>). Does not throw for a failed task.
    /// </summary>
    public async Task<GatewayTask> WaitAsync(string circle, string id, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        var task = await GetAsync(circle, id, PollFor(timeout), cancellationToken).ConfigureAwait(false);
        return await PollUntilAsync(task, timeout, started, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Cancels a task: a pending one leaves its queue, a running one is stopped. Returns the task,
    /// cancelled, or still processing while its stop is under way.
    /// </summary>
    /// <exception cref="GatewayApiException">
    /// 409 when it had already finished (not when an attempt sent again finds it cancelled); 404 when unknown.
    /// </exception>
    public async Task<GatewayTask> CancelAsync(string circle, string id, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, TaskPath(circle, id));
        try
        {
            return await SendAsync(request, ClientJson.Default.GatewayTask, cancellationToken).ConfigureAwait(false);
        }
        catch (GatewayApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Conflict && GatewayResilience.WasResent(request))
        {
            // An earlier attempt may have cancelled it and lost its answer: then the task is as asked.
            var task = await GetAsync(circle, id, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (task.Status == GatewayTaskStatus.Cancelled)
                return task;
            throw;
        }
    }

    /// <summary>
    /// The circle's tasks, newest first, optionally only those in one <paramref name="status"/>:
    /// up to <paramref name="limit"/> of them, read a page at a time as the enumeration goes on
    /// (a filtered page may hold few tasks, see <see cref="ListTasksPageAsync"/>).
    /// </summary>
    /// <param name="circle">The circle.</param>
    /// <param name="status">Only tasks in this state.</param>
    /// <param name="limit">How many at most.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    public async IAsyncEnumerable<GatewayTask> ListTasksAsync(
        string circle,
        GatewayTaskStatus? status = null,
        int limit = 50,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        string? before = null;
        var left = limit;
        do
        {
            var page = await ListTasksPageAsync(circle, status, Math.Min(left, MaxTaskPage), before, cancellationToken).ConfigureAwait(false);
            foreach (var task in page.Tasks)
            {
                yield return task;
                left--;
            }
            before = page.NextBefore;
        }
        while (left > 0 && before is not null);
    }

    /// <summary>
    /// One page of the circle's tasks, newest first: at most <paramref name="limit"/> (1 to 500)
    /// listed after the task <paramref name="before"/> (the newest when null), optionally only
    /// those in one <paramref name="status"/>. With a status, one request reads a bounded stretch
    /// of the list, so a page may hold fewer tasks, or none, though older ones match.
    /// <see cref="TaskListPage.NextBefore"/> is the <paramref name="before"/> of the following page,
    /// null when the list ended.
    /// </summary>
    /// <exception cref="GatewayApiException">400 naming <c>limit</c> or <c>before</c> when out of range.</exception>
    public async Task<TaskListPage> ListTasksPageAsync(string circle, GatewayTaskStatus? status = null, int limit = 50,
        string? before = null, CancellationToken cancellationToken = default)
    {
        var query = $"?limit={limit.ToString(CultureInfo.InvariantCulture)}"
            + (status is { } s ? "&status=" + s.ToWire() : "")
            + (before is null ? "" : "&before=" + Uri.EscapeDataString(before));
        var (list, next) = await SendPageAsync(new HttpRequestMessage(HttpMethod.Get, $"{CirclePath(circle)}/tasks{query}"), ClientJson.Default.TaskList,
            "before", cancellationToken).ConfigureAwait(false);
        return new TaskListPage(list.Tasks, next);
    }

    /// <summary>Most tasks the API answers in one page.</summary>
    private const int MaxTaskPage = 500;

    private async Task<GatewayTask> PollUntilAsync(GatewayTask task, TimeSpan limit, long started, CancellationToken cancellationToken)
    {
        while (!task.IsTerminal)
        {
            var left = limit - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
                break;
            task = await GetAsync(task.Circle, task.Id, PollFor(left), cancellationToken).ConfigureAwait(false);
        }
        return task;
    }

    private SubmitBody Body(string? script, object? args, SubmitOptions? options)
    {
        if ((script is null) == (options?.ScriptName is null))
            throw new ArgumentException("Give either a script or SubmitOptions.ScriptName, not both and not neither.", nameof(script));
        if (options is { RunAt: not null, Delay: not null })
            throw new ArgumentException("Give SubmitOptions.RunAt or SubmitOptions.Delay, not both.", nameof(options));
        return new SubmitBody
        {
            Script = script,
            Args = ToJson(args),
            TimeoutMs = options?.ScriptTimeout is { } t ? (long)Math.Ceiling(t.TotalMilliseconds) : null,
            Language = options?.Language,
            ScriptName = options?.ScriptName,
            ScriptVersion = options?.ScriptVersion,
            RunAt = options?.RunAt,
            DelayMs = options?.Delay is { } d ? (long)d.TotalMilliseconds : null,
            Priority = options?.Priority,
            Retry = options?.Retry,
        };
    }

    /// <summary>One key per call, made before the first attempt, so every retry of the call carries it.</summary>
    private static string NewIdempotencyKey() => "gwc-" + Guid.NewGuid().ToString("N");
}
