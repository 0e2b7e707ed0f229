using Microsoft.AspNetCore.Diagnostics;
using StackExchange.Redis;

namespace Gateway.Api.Hosting;

/// <summary>
/// The last word on errors: Redis away is 503 with Retry-After (never 500, never a hang), a bad
/// request the framework caught is its own 4xx, anything else a 500 without internals.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        int status;
        string title;
        switch (exception)
        {
            case RedisException or RedisTimeoutException when IsTransient(exception):
                status = StatusCodes.Status503ServiceUnavailable;
                title = "The task store is unavailable; try again shortly.";
                context.Response.Headers.RetryAfter = "2";
                LogRedisUnavailable(log, exception.GetType().Name, context.Request.Path);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable ({Reason}) while serving {Path}: answered 503")]
    private static partial void LogRedisUnavailable(ILogger logger, string reason, PathString path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error while serving {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, PathString path);
}
