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
    /// Set on a request that is not safe to send twice (a batch: the API keeps no idempotency key
    /// for it). Such a request is retried only when the server said it did nothing (429, 503) or it
    /// never reached the server (connection refused).
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> Unrepeatable = new("Gateway.Client.Unrepeatable");

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, GatewayClientOptions options)
    {
        builder.AddTimeout(options.TotalRequestTimeout);
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
            });
        }
        builder.AddTimeout(options.AttemptTimeout);
    }

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        var unrepeatable = context.GetRequestMessage()?.Options.TryGetValue(Unrepeatable, out var flag) == true && flag;
        if (outcome.Result is { } response)
        {
            return response.StatusCode switch
            {
                HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests => true,
                // From a proxy in front of the gateway: the request may or may not have arrived.
                HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout or HttpStatusCode.RequestTimeout => !unrepeatable,
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
