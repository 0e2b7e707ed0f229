using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>
/// Runs every script of the protocol once against the backend in use, on scratch keys, before
/// the process serves anything: a server whose Lua differs (an old Redis, a Garnet with the
/// wrong options) stops the process at start with the script named, instead of failing tasks
/// later. When Redis is away at start the process starts anyway (it answers 503) and the test
/// runs as soon as Redis answers; a failure then stops the process.
/// </summary>
public sealed partial class ProtocolSelfTest(
    IConnectionMultiplexer redis,
    IHostApplicationLifetime lifetime,
    ILogger<ProtocolSelfTest> log) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(redis.GetDatabase());
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            LogDeferred(log);
            _ = Task.Run(() => RunWhenReachableAsync(_stopping.Token), CancellationToken.None);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => _stopping.CancelAsync();

    private async Task RunWhenReachableAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                await RunAsync(redis.GetDatabase());
                return;
            }
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
            {
                // Still away; try again.
            }
            catch (SelfTestFailedException ex)
            {
                LogFailed(log, ex);
                lifetime.StopApplication();
                Environment.ExitCode = 1;
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Submit → claim → complete on a scratch circle, checking what each script returns.</summary>
    internal static async Task RunAsync(IDatabase db)
    {
        var circle = $"selftest-{Guid.NewGuid():N}";
        var id = Guid.CreateVersion7().ToString("N");
        var queue = RedisKeys.Queue(circle);
        var processing = RedisKeys.Processing(circle);
        var index = RedisKeys.Index(circle);
        var task = RedisKeys.Task(circle, id);
        // Not a real events channel: nobody listening for tasks hears the test.
        var channel = $"rhai:selftest:{{{circle}}}";
        try
        {
            await Check(nameof(LuaScripts.Submit), async () =>
            {
                await db.ScriptEvaluateAsync(LuaScripts.Submit, [queue, index],
                    [RedisKeys.TaskPrefix(circle), channel, 1, circle, id, "1", "null", 1000, ""]);
                return await db.HashGetAsync(task, "status") == "pending" && await db.ListLengthAsync(queue) == 1
                    && await db.SortedSetLengthAsync(index) == 1;
            });

            string? token = null;
            await Check(nameof(LuaScripts.Claim), async () =>
            {
                var claimed = await db.ScriptEvaluateAsync(LuaScripts.Claim, [queue, processing],
                    [RedisKeys.TaskPrefix(circle), channel, 2, 30_000, "selftest", 5, "selftest"]);
                var first = claimed.Length == 1 ? (RedisResult[])claimed[0]! : null;
                token = first is null ? null : (string?)first[7];
                return first is not null && (string?)first[0] == id && (int)first[4] == 1
                    && await db.HashGetAsync(task, "status") == "processing" && await db.SortedSetLengthAsync(processing) == 1;
            });

            await Check(nameof(LuaScripts.Complete), async () =>
            {
                var fenced = await db.ScriptEvaluateAsync(LuaScripts.Complete, [task, processing, index],
                    [id, "not-the-token", "completed", "2", "", "", 3, "0", 60_000, channel]);
                var written = await db.ScriptEvaluateAsync(LuaScripts.Complete, [task, processing, index],
                    [id, token, "completed", "1", "", "", 3, "0", 60_000, channel]);
                return (int)fenced == 0 && (int)written == 1
                    && await db.HashGetAsync(task, "result") == "1" && await db.SortedSetLengthAsync(processing) == 0;
            });
        }
        finally
        {
            await db.KeyDeleteAsync([queue, processing, index, task]);
        }
    }

    private static async Task Check(string script, Func<Task<bool>> run)
    {
        bool passed;
        try
        {
            passed = await run();
        }
        catch (RedisServerException ex)
        {
            throw new SelfTestFailedException(script, ex.Message, ex);
        }
        if (!passed)
            throw new SelfTestFailedException(script, "it ran, but the keys it left are not what the protocol expects", null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is not reachable at start; the protocol self-test will run when it is")]
    private static partial void LogDeferred(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The Redis protocol self-test failed; stopping")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>A script of the protocol does not work on this backend.</summary>
public sealed class SelfTestFailedException(string script, string error, Exception? inner)
    : Exception($"The Redis backend failed the protocol self-test: script '{script}': {error}", inner)
{
    public string Script { get; } = script;
}
