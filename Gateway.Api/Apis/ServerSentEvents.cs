namespace Gateway.Api.Apis;

/// <summary>
/// The wire every event stream of the API shares (<see cref="TaskEventStream"/>, <see cref="CircleStream"/>):
/// its content type, the headers that keep proxies from caching or buffering it, writes that reach
/// the client at once, and a keep-alive comment while nothing happens.
/// </summary>
internal static class ServerSentEvents
{
    public const string ContentType = "text/event-stream";

    /// <summary>Longest silence: a proxy or client that times out idle connections sees a comment this often.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>The 200 response of an event stream, as the document declares it.</summary>
    public static RouteHandlerBuilder ProducesEventStream(this RouteHandlerBuilder builder) =>
        builder.Produces(StatusCodes.Status200OK, contentType: ContentType);

    public static void Start(HttpResponse response)
    {
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
    }

    /// <summary>Writes <paramref name="text"/> (whole events or comments) and flushes it to the client.</summary>
    public static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.WriteAsync(text, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// Awaits <paramref name="next"/>, writing a keep-alive comment each time it has not answered
    /// within <see cref="KeepAlive"/> and asking again; ends with the request when the client leaves.
    /// </summary>
    public static async Task<T> NextAsync<T>(HttpResponse response, Func<CancellationToken, ValueTask<T>> next, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            tick.CancelAfter(KeepAlive);
            try
            {
                return await next(tick.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await WriteAsync(response, ": keep-alive\n\n", cancellationToken);
            }
        }
    }
}
