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
    /// <exception cref="GatewayApiException">404 when the task is unknown.</exception>
    public async IAsyncEnumerable<TaskEvent> WatchAsync(string circle, string id, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        GatewayTaskStatus? last = null;
        var drops = 0;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, TaskPath(circle, id) + "/events");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw await GatewayApiException.ReadAsync(response, cancellationToken).ConfigureAwait(false);

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using var _ = stream.ConfigureAwait(false);
            var events = SseParser.Create(stream, static (type, data) => type == "status" ? Parse(data) : null)
                .EnumerateAsync(cancellationToken)
                .GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    TaskEvent? next;
                    try
                    {
                        if (!await events.MoveNextAsync().ConfigureAwait(false))
                            break;
                        next = events.Current.Data;
                    }
                    catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested && drops < _options.MaxRetries)
                    {
                        // The server went away mid-stream; the pipeline's retries cover the reconnect.
                        break;
                    }
                    if (next is null || next.Status == last)
                        continue;
                    last = next.Status;
                    yield return next;
                    if (next.Status.IsTerminal())
                        yield break;
                }
            }
            finally
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }
            drops++;
            if (drops > _options.MaxRetries)
                throw new HttpRequestException($"The event stream of task '{id}' ended {drops} times before the task finished.");
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
}
