using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Gateway.Client.Wire;

namespace Gateway.Client;

public sealed partial class GatewayClient
{
    /// <summary>
    /// The task's state changes as they happen (its server-sent events): first the task as it
    /// stands, then one event per change, ending after the terminal one. A dropped stream is
    /// opened again, without repeating a status already seen.
    /// </summary>
    /// <exception cref="GatewayApiException">404 when the task is unknown; an event that is not the gateway's JSON.</exception>
    public async IAsyncEnumerable<TaskEvent> WatchAsync(string circle, string id, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        GatewayTaskStatus? last = null;
        var drops = new Drops(_time, _options);
        while (true)
        {
            await foreach (var next in OpenEventsAsync(TaskPath(circle, id) + "/events",
                static (type, data) => type == "status" ? Parse(data) : null, drops.MayReconnect, cancellationToken, drops.Opened).ConfigureAwait(false))
            {
                // Every opening begins with the task as it stands: only a change tells that the stream works.
                if (next.Status == last)
                    continue;
                drops.Delivered();
                last = next.Status;
                yield return next;
                if (next.Status.IsTerminal())
                    yield break;
            }
            if (drops.Dropped())
                throw new HttpRequestException($"The event stream of task '{id}' ended {drops.Count} times in a row before the task finished.");
            await drops.PauseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Every state change of every task of the circle, as it happens (the circle's server-sent
    /// stream), until <paramref name="cancellationToken"/> ends it. Each is the task as the server
    /// read it; a change the task had already left by then is left out (the later change tells
    /// the task), so a fast task may come only finished, and its finished state comes once. A
    /// dropped stream is opened again; changes made while it was down are not replayed (the
    /// overload with <c>missed</c> says when that happened).
    /// </summary>
    /// <exception cref="GatewayApiException">401/403 when the caller may not use the circle; an event that is not the gateway's JSON.</exception>
    public IAsyncEnumerable<GatewayTask> WatchCircleAsync(string circle, CancellationToken cancellationToken = default) =>
        StreamAsync(CirclePath(circle) + "/tasks/stream", null, cancellationToken);

    /// <summary>
    /// <see cref="WatchCircleAsync(string, CancellationToken)"/>, calling <paramref name="missed"/>
    /// whenever changes may have been missed: the server said so (it lost its subscription, or
    /// this caller read too slowly), or the stream dropped and is open again. Read the tasks of
    /// interest again then; the stream is listening when it is called.
    /// </summary>
    public IAsyncEnumerable<GatewayTask> WatchCircleAsync(string circle, Action missed, CancellationToken cancellationToken = default) =>
        StreamAsync(CirclePath(circle) + "/tasks/stream", missed ?? throw new ArgumentNullException(nameof(missed)), cancellationToken);

    /// <summary>
    /// Every state change of every task in every circle the caller may use, as it happens, until
    /// <paramref name="cancellationToken"/> ends it, told as <see cref="WatchCircleAsync(string, CancellationToken)"/>
    /// tells them. A dropped stream is opened again; changes made while it was down are not replayed.
    /// </summary>
    public IAsyncEnumerable<GatewayTask> WatchAllAsync(CancellationToken cancellationToken = default) =>
        StreamAsync("api/tasks/stream", null, cancellationToken);

    /// <summary><see cref="WatchAllAsync(CancellationToken)"/>, calling <paramref name="missed"/> as <see cref="WatchCircleAsync(string, Action, CancellationToken)"/> does.</summary>
    public IAsyncEnumerable<GatewayTask> WatchAllAsync(Action missed, CancellationToken cancellationToken = default) =>
        StreamAsync("api/tasks/stream", missed ?? throw new ArgumentNullException(nameof(missed)), cancellationToken);

    /// <summary>The server's <c>resync</c> event: changes may have been missed.</summary>
    private static readonly GatewayTask Resync = new() { Id = "", Circle = "", Status = GatewayTaskStatus.Pending, CreatedAt = default };

    private async IAsyncEnumerable<GatewayTask> StreamAsync(string path, Action? missed, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var drops = new Drops(_time, _options);
        var reopened = false;
        while (true)
        {
            // Opened again after a drop: what changed meanwhile was not sent.
            Action opened = drops.Opened;
            if (reopened && missed is not null)
                opened += missed;
            await foreach (var next in OpenEventsAsync(path,
                static (type, data) => type switch
                {
                    "status" => JsonSerializer.Deserialize(data, ClientJson.Default.GatewayTask),
                    "resync" => Resync,
                    _ => null,
                },
                drops.MayReconnect, cancellationToken, opened).ConfigureAwait(false))
            {
                drops.Delivered();
                if (ReferenceEquals(next, Resync))
                    missed?.Invoke();
                else
                    yield return next;
            }
            reopened = true;
            if (drops.Dropped())
                throw new HttpRequestException($"The stream '{path}' ended {drops.Count} times in a row.");
            await drops.PauseAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One opening of a server-sent stream: the events <paramref name="parse"/> keeps, until the
    /// stream ends, or until it drops while <paramref name="mayReconnect"/> says the caller will open it again.
    /// </summary>
    /// <exception cref="GatewayApiException">When the server refuses the stream, or sends an event that does not parse.</exception>
    private async IAsyncEnumerable<T> OpenEventsAsync<T>(
        string path, SseItemParser<T?> parse, Func<bool> mayReconnect, [EnumeratorCancellation] CancellationToken cancellationToken,
        Action? opened = null)
        where T : class
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw await GatewayApiException.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            // A proxy's page, say: read as a stream it would hold no events and be opened again and again.
            throw new GatewayApiException(response.StatusCode, "The answer was not an event stream.",
                $"{path}: {response.Content.Headers.ContentType?.MediaType ?? "no content type"}");
        }
        opened?.Invoke();

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var _ = stream.ConfigureAwait(false);
        var events = SseParser.Create(stream, parse).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                T? next;
                try
                {
                    if (!await events.MoveNextAsync().ConfigureAwait(false))
                        yield break;
                    next = events.Current.Data;
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                {
                    // The server went away mid-stream; the pipeline's retries cover the reconnect.
                    if (mayReconnect())
                        yield break;
                    throw new HttpRequestException($"The stream '{path}' broke: {ex.Message}", ex);
                }
                catch (JsonException ex)
                {
                    // Something other than the gateway answered (a proxy's page), as for any other answer.
                    throw new GatewayApiException(response.StatusCode, "An event could not be read.", $"{path}: {ex.Message}");
                }
                if (next is not null)
                    yield return next;
            }
        }
        finally
        {
            await events.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static TaskEvent? Parse(ReadOnlySpan<byte> data)
    {
        var head = JsonSerializer.Deserialize(data, ClientJson.Default.StatusEventData);
        if (head is null)
            return null;
        // The first and the terminal event carry the whole task; the ones between only id, circle and status.
        var task = head.CreatedAt is null ? null : JsonSerializer.Deserialize(data, ClientJson.Default.GatewayTask);
        return new TaskEvent(head.Id, head.Circle, head.Status, task);
    }

    /// <summary>
    /// How often a stream dropped in a row: an opening that delivered news, or stayed open
    /// <see cref="HeldOpen"/> from its answer, was a working stream that was cut (an idle proxy, a
    /// restart), and starts the count again; one that ended at once counts, and the next opening
    /// waits a little longer each time. Past the client's retries, the caller gives up rather
    /// than open it again and again.
    /// </summary>
    private sealed class Drops(TimeProvider time, GatewayClientOptions options)
    {
        private static readonly TimeSpan HeldOpen = TimeSpan.FromSeconds(5);
        private long? _openedAt;
        private bool _delivered;

        public int Count { get; private set; }

        /// <summary>The server answered with a stream (the clock starts here, not at the request, which its retries may hold up).</summary>
        public void Opened()
        {
            _openedAt = time.GetTimestamp();
            _delivered = false;
        }

        public void Delivered() => _delivered = true;

        /// <summary>Whether the stream, should it drop now, may be opened again.</summary>
        public bool MayReconnect() => Working() || Count < options.MaxRetries;

        /// <summary>Counts a drop; true when it is one too many.</summary>
        public bool Dropped()
        {
            Count = Working() ? 1 : Count + 1;
            _openedAt = null;
            return Count > options.MaxRetries;
        }

        /// <summary>Before opening again: nothing after a working stream, the retry delay doubling after each quick drop.</summary>
        public Task PauseAsync(CancellationToken cancellationToken)
        {
            if (Count <= 1)
                return Task.CompletedTask;
            var delay = options.RetryDelay * Math.Pow(2, Count - 2);
            return Task.Delay(delay < options.MaxRetryDelay ? delay : options.MaxRetryDelay, time, cancellationToken);
        }

        private bool Working() => _delivered || (_openedAt is { } at && time.GetElapsedTime(at) >= HeldOpen);
    }
}
