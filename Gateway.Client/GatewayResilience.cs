using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace Gateway.Client;

/// <summary>
/// The one pipeline every request goes through, with or without dependency injection: a total
/// timeout, retries on what is worth retrying (honouring Retry-After), and a timeout per attempt.
/// </summary>
internal static class GatewayResilience
{
    /// <summary>
    /// Set on a request that is not safe to send twice (a batch, a re-run: the API keeps no
    /// idempotency key for them). Such a request is retried only when the server said it did
    /// nothing (429) or it never reached the server (connection refused); not after a 503, which
    /// may come after the tasks were stored.
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> Unrepeatable = new("Gateway.Client.Unrepeatable");

    /// <summary>
    /// Marks <paramref name="request"/> <see cref="Unrepeatable"/>. One without content is given an
    /// empty body: the HTTP handler itself sends a bodiless request again, on a new connection, when
    /// the server closes the connection before any answer, and it stops doing so once it has begun
    /// sending a body.
    /// </summary>
    public static void MarkUnrepeatable(HttpRequestMessage request)
    {
        request.Options.Set(Unrepeatable, true);
        request.Content ??= new ByteArrayContent([]);
    }

    /// <summary>
    /// Set on a request that asks the server to hold its answer (<c>?wait=</c>): one attempt may
    /// take that long and <see cref="WaitMargin"/> more, whatever <see cref="GatewayClientOptions.AttemptTimeout"/> says.
    /// </summary>
    public static readonly HttpRequestOptionsKey<TimeSpan> Wait = new("Gateway.Client.Wait");

    /// <summary>
    /// Set by the pipeline on a request it sends again. A DELETE sent again may meet the state its
    /// first attempt made, whose answer was lost: that is what the caller asked for, not an error.
    /// </summary>
    private static readonly HttpRequestOptionsKey<bool> Resent = new("Gateway.Client.Resent");

    /// <summary>Whether the pipeline sent <paramref name="request"/> more than once.</summary>
    public static bool WasResent(HttpRequestMessage request) => request.Options.TryGetValue(Resent, out var resent) && resent;

    /// <summary>What an attempt that waits is given beyond its wait, for the answer to arrive.</summary>
    public static readonly TimeSpan WaitMargin = TimeSpan.FromSeconds(5);

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, GatewayClientOptions options)
    {
        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Timeout = options.TotalRequestTimeout,
            // A request that waits is given its wait (and the margin) besides, so a retry of it is not cut short.
            TimeoutGenerator = args => ValueTask.FromResult(WaitOf(args.Context) is { } wait
                ? options.TotalRequestTimeout + wait + WaitMargin
                : options.TotalRequestTimeout),
        });
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                OnRetry = args =>
                {
                    args.Context.GetRequestMessage()?.Options.Set(Resent, true);
                    return default;
                },
            });
        }
        builder.AddTimeout(new TimeoutStrategyOptions
        {
            Timeout = options.AttemptTimeout,
            TimeoutGenerator = args => ValueTask.FromResult(AttemptTimeout(args.Context, options)),
        });
    }

    private static TimeSpan AttemptTimeout(ResilienceContext context, GatewayClientOptions options) =>
        WaitOf(context) is { } wait ? Max(options.AttemptTimeout, wait + WaitMargin) : options.AttemptTimeout;

    private static TimeSpan? WaitOf(ResilienceContext context) =>
        context.GetRequestMessage()?.Options.TryGetValue(Wait, out var wait) == true ? wait : null;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        var unrepeatable = context.GetRequestMessage()?.Options.TryGetValue(Unrepeatable, out var flag) == true && flag;
        if (outcome.Result is { } response)
        {
            return response.StatusCode switch
            {
                HttpStatusCode.TooManyRequests => true,
                // From a proxy in front of the gateway: the request may or may not have arrived;
                // from the gateway: Redis failed, perhaps after the request's writes.
                HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout
                    or HttpStatusCode.RequestTimeout => !unrepeatable,
                _ => false,
            };
        }
        return outcome.Exception switch
        {
            HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => true,
            HttpRequestException or TimeoutRejectedException => !unrepeatable,
            _ => false,
        };
    }
}
