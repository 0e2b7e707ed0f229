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

    /// <summary>
    /// Every transition on a scratch circle, checking what each script returns and leaves:
    /// submit (and its idempotency), claim, renew, requeue, an expired lease reaped as lost,
    /// cancel of a pending and of a running task, and the fenced complete.
    /// </summary>
    internal static async Task RunAsync(IDatabase db)
    {
        var circle = $"selftest-{Guid.NewGuid():N}";
        var prefix = RedisKeys.TaskPrefix(circle);
        var queue = RedisKeys.Queue(circle);
        var processing = RedisKeys.Processing(circle);
        var index = RedisKeys.Index(circle);
        var idem = RedisKeys.Idempotency(circle, "selftest");
        // Not a real events channel: nobody listening for tasks hears the test.
        var channel = $"rhai:selftest:{{{circle}}}";
        string[] ids = [NewId(), NewId(), NewId(), NewId()];
        const long retention = 60_000;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Task<RedisResult> Submit(string id, bool withKey, int most = 2, int direct = 0) => db.ScriptEvaluateAsync(LuaScripts.Submit,
            withKey ? [queue, index, processing, idem] : [queue, index, processing],
            [prefix, channel, now, circle, id + "|fp", withKey ? retention : 0, most, direct, "selftest", now + 30_000, "selftest",
                id, "1", "null", 1000, "", ""]);
        Task<RedisResult> Claim(long leaseMs) => db.ScriptEvaluateAsync(LuaScripts.Claim, [queue, processing],
            [prefix, channel, now, leaseMs, "selftest", 1, "selftest"]);
        async Task<bool> StatusIs(string id, string status) => await db.HashGetAsync(prefix + id, "status") == status;

        try
        {
            await Check(nameof(LuaScripts.Submit), async () =>
                (string?)await Submit(ids[0], withKey: true) == "" && (string?)await Submit(ids[1], withKey: true) == ids[0] + "|fp"
                && (string?)await Submit(ids[2], withKey: false, most: 1) == "!quota" && !await db.KeyExistsAsync(prefix + ids[2])
                && await StatusIs(ids[0], "pending") && await db.ListLengthAsync(queue) == 1 && await db.SortedSetLengthAsync(index) == 1);

            var token = "";
            await Check(nameof(LuaScripts.Claim), async () =>
            {
                var claimed = await Claim(30_000);
                token = claimed.Length == 1 ? (string?)((RedisResult[])claimed[0]!)[7] ?? "" : "";
                return token.Length > 0 && (string?)((RedisResult[])claimed[0]!)[0] == ids[0]
                    && await StatusIs(ids[0], "processing") && await db.SortedSetLengthAsync(processing) == 1;
            });

            await Check(nameof(LuaScripts.Renew), async () =>
                (int)await db.ScriptEvaluateAsync(LuaScripts.Renew, [prefix + ids[0], processing], [ids[0], token, now + 60_000]) == 0
                && (int)await db.ScriptEvaluateAsync(LuaScripts.Renew, [prefix + ids[0], processing], [ids[0], "stale", now + 60_000]) == -1);

            await Check(nameof(LuaScripts.Requeue), async () =>
                (int)await db.ScriptEvaluateAsync(LuaScripts.Requeue, [prefix + ids[0], processing, queue], [ids[0], token, channel, now, retention]) == 1
                && await StatusIs(ids[0], "pending") && await db.HashGetAsync(prefix + ids[0], "attempts") == 0);

            await Check(nameof(LuaScripts.Reap), async () =>
            {
                await Claim(-1_000); // a lease that has already run out
                var reaped = await db.ScriptEvaluateAsync(LuaScripts.Reap, [processing, queue, index],
                    [prefix, channel, now, 1, retention, "{\"code\":\"lost\"}", 10]);
                return (int)reaped[1] == 1 && await StatusIs(ids[0], "failed") && await db.SortedSetLengthAsync(processing) == 0;
            });

            await Check(nameof(LuaScripts.Cancel), async () =>
            {
                await Submit(ids[1], withKey: false);
                var pending = (string?)await db.ScriptEvaluateAsync(LuaScripts.Cancel, [prefix + ids[1], queue], [ids[1], channel, now, retention]);
                await Submit(ids[2], withKey: false);
                var claimed = await Claim(30_000);
                token = (string?)((RedisResult[])claimed[0]!)[7] ?? "";
                var running = (string?)await db.ScriptEvaluateAsync(LuaScripts.Cancel, [prefix + ids[2], queue], [ids[2], channel, now, retention]);
                var renewed = (int)await db.ScriptEvaluateAsync(LuaScripts.Renew, [prefix + ids[2], processing], [ids[2], token, now + 60_000]);
                return pending == "cancelled" && await StatusIs(ids[1], "cancelled") && await db.ListLengthAsync(queue) == 0
                    && running == "cancelling" && renewed == 1;
            });

            await Check(nameof(LuaScripts.Complete), async () =>
            {
                var fenced = await db.ScriptEvaluateAsync(LuaScripts.Complete, [prefix + ids[2], processing],
                    [ids[2], "not-the-token", "completed", "2", "", "", now, "0", retention, channel, ids[2] + " completed"]);
                var written = await db.ScriptEvaluateAsync(LuaScripts.Complete, [prefix + ids[2], processing],
                    [ids[2], token, "cancelled", "", "", "", now, "0", retention, channel, ids[2] + " cancelled"]);
                return (int)fenced == 0 && (int)written == 1
                    && await StatusIs(ids[2], "cancelled") && await db.SortedSetLengthAsync(processing) == 0;
            });

            await Check(nameof(LuaScripts.Submit) + " (claimed at once)", async () =>
                (string?)await Submit(ids[3], withKey: false, direct: 1) == "=1" && await StatusIs(ids[3], "processing")
                && await db.HashGetAsync(prefix + ids[3], "lease") == "selftest.1"
                && await db.SortedSetScoreAsync(processing, ids[3]) == now + 30_000 && await db.ListLengthAsync(queue) == 0);
        }
        finally
        {
            await db.KeyDeleteAsync([queue, processing, index, idem, .. ids.Select(id => (RedisKey)(prefix + id))]);
        }
    }

    private static string NewId() => Guid.CreateVersion7().ToString("N");

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
