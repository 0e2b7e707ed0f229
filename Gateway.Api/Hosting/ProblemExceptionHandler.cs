using Microsoft.AspNetCore.Diagnostics;
using Gateway.Core.Models;
using StackExchange.Redis;

namespace Gateway.Api.Hosting;

/// <summary>
/// The last word on errors: Redis away is 503 with Retry-After (never 500, never a hang), a bad
/// request the framework caught is its own 4xx, anything else a 500 without internals.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, TimeProvider time, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    /// <summary>During an outage every request fails alike: one warning per interval, with a count, not one per request.</summary>
    private const long WarnEveryMs = 5_000;

    private long _lastWarning = long.MinValue / 2;
    private long _unlogged;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        int status;
        string title;
        // A store failure carries the backend's error inside: an outage there is an outage.
        var cause = exception is ModelStoreException { InnerException: { } inner } ? inner : exception;
        switch (cause)
        {
            case RedisException or RedisTimeoutException when IsTransient(cause):
                status = StatusCodes.Status503ServiceUnavailable;
                title = "The task store is unavailable; try again shortly.";
                context.Response.Headers.RetryAfter = "2";
                WarnRedisUnavailable(cause, context.Request.Path);
                break;
            case BadHttpRequestException bad:
                status = bad.StatusCode;
                title = "The request could not be read.";
                break;
            default:
                status = StatusCodes.Status500InternalServerError;
                title = "An unexpected error occurred.";
                LogUnexpected(log, exception, context.Request.Path);
                break;
        }

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title },
        });
    }

    private void WarnRedisUnavailable(Exception exception, PathString path)
    {
        var now = (long)time.GetElapsedTime(0).TotalMilliseconds;
        var last = Interlocked.Read(ref _lastWarning);
        if (now - last < WarnEveryMs || Interlocked.CompareExchange(ref _lastWarning, now, last) != last)
        {
            Interlocked.Increment(ref _unlogged);
            return;
        }
        LogRedisUnavailable(log, exception.GetType().Name, path, Interlocked.Exchange(ref _unlogged, 0));
    }

    private static bool IsTransient(Exception exception) => exception switch
    {
        RedisConnectionException or RedisTimeoutException => true,
        RedisServerException server => server.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
            || server.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)
            || server.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
            || server.Message.StartsWith("READONLY", StringComparison.Ordinal),
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable ({Reason}) while serving {Path}: answered 503 (and {Earlier} more since the last warning)")]
    private static partial void LogRedisUnavailable(ILogger logger, string reason, PathString path, long earlier);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error while serving {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, PathString path);
}
