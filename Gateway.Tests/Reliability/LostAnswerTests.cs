using System.Security.Cryptography;
using System.Text;
using Gateway.Core.Configuration;
using Gateway.Core.Queueing;
using Gateway.Core.Redis;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using LuaScript = Gateway.Core.Redis.Scripts.LuaScript;

namespace Gateway.Tests.Reliability;

/// <summary>
/// A worker process whose claim or completion ran in Redis but whose answer came after the
/// client's command timeout (1.5 s), as from a CPU-starved or paused server: the worker sends the
/// call again, and that repeat must take back what the first one leased. Otherwise those tasks sit
/// leased to nobody until the lease runs out (30 s here), and run again as a second attempt. The
/// same holds for a waiting submit whose own script took the task for the Api's worker.
/// The server is one of the test's own, behind a proxy that holds its answers back.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LostAnswerTests
{
    /// <summary>Longer than the command timeout, far shorter than the lease.</summary>
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(2.5);

    /// <summary>Long enough for the stall and the retry; well short of the 30 s lease, after which the reaper would hand the task out again.</summary>
    private static readonly TimeSpan Finish = TimeSpan.FromSeconds(15);

    private RestartableRedis _redis = null!;
    private StallingProxy _proxy = null!;
    private ConnectionMultiplexer _direct = null!;
    private TaskQueue _queue = null!;

    [SetUp]
    public async Task Start()
    {
        _redis = new RestartableRedis();
        _proxy = new StallingProxy(_redis.Port);
        _direct = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        _queue = new TaskQueue(_direct, TimeProvider.System, Options.Create(new TaskOptions()));
    }

    [TearDown]
    public async Task Stop()
    {
        _direct.Dispose();
        await _proxy.DisposeAsync();
        _redis.Dispose();
    }

    /// <summary>
    /// The digest the worker sends the script by (EVALSHA), as hex. The script is loaded first, so
    /// that the stalled call runs rather than answering NOSCRIPT.
    /// </summary>
    private async Task<string> DigestAsync(string script, params string[] libraries)
    {
        var text = LuaScript.Load(script, libraries).Text;
        await _direct.GetServer(_redis.ConnectionString).ScriptLoadAsync(text);
        return Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private async Task<IReadOnlyList<TaskRecord>> SubmitAsync(string circle, params string[] scripts) =>
        await _queue.SubmitAsync(circle, [.. scripts.Select(s => new NewTask(s, "null", 5_000))]);

    private Task<HostProcess> StartWorkerAsync(string circle) =>
        HostProcess.StartWorkerAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = _proxy.ConnectionString,
            ["Gateway:Workers:Circles:0"] = circle,
            ["Gateway:Workers:Concurrency"] = "1",
            ["Gateway:Workers:LeaseSeconds"] = "30",
        });

    /// <summary>Waits until the task has ended; its status and attempts then, or as they stand at <see cref="Finish"/>.</summary>
    private async Task<(string? Status, int Attempts)> WaitForEndAsync(string circle, string id)
    {
        var key = RedisKeys.Task(circle, id);
        var deadline = DateTime.UtcNow + Finish;
        while (true)
        {
            var f = await _direct.GetDatabase().HashGetAsync(key, [TaskHash.Status, TaskHash.Attempts]);
            var state = ((string?)f[0], f[1].IsNullOrEmpty ? 0 : (int)f[1]);
            if (state.Item1 is "completed" or "failed" || DateTime.UtcNow > deadline)
                return state;
            await Task.Delay(100);
        }
    }

    [Test]
    public async Task Claim_WhoseAnswerIsLost_RunsTheTaskItLeased_OnceAndAtOnce()
    {
        var circle = TestRedis.NewCircle("lost-claim");
        var task = (await SubmitAsync(circle, "6 * 7"))[0];
        var claim = await DigestAsync("claim", "claiming");
        // The worker's own claim on this circle, not the protocol self-test's on a scratch circle.
        _proxy.StallAfter(sent => sent.Contains(claim, StringComparison.Ordinal) && sent.Contains(circle, StringComparison.Ordinal), Stall);

        await using var worker = await StartWorkerAsync(circle);
        var (status, attempts) = await WaitForEndAsync(circle, task.Id);

        Assert.That(_proxy.Stalls, Is.EqualTo(1), "the claim's answer was held back");
        Assert.That(worker.Log, Does.Contain("Redis is unavailable"), "the worker timed out and sent the claim again");
        Assert.That((status, attempts), Is.EqualTo(("completed", 1)),
            $"the task the first claim leased ran at once, as its first attempt:\n{worker.Log}");
    }

    [Test]
    public async Task WaitingSubmit_WhoseAnswerIsLost_Answers503_AndTheTaskItTookRunsAtOnce()
    {
        var circle = TestRedis.NewCircle("lost-submit");
        await using var api = await HostProcess.StartAsync("Gateway.Api", new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = _proxy.ConnectionString,
            ["Gateway:Workers:LeaseSeconds"] = "30",
        });
        var submit = await DigestAsync("submit", "lanes");
        _proxy.StallAfter(sent => sent.Contains(submit, StringComparison.Ordinal) && sent.Contains(circle, StringComparison.Ordinal), Stall);

        using var client = api.CreateClient();
        var response = await client.SubmitAsync(circle, new { script = "6 * 7" }, wait: 10);
        Assert.That(response.Status, Is.EqualTo(System.Net.HttpStatusCode.ServiceUnavailable), response.ToString());
        Assert.That(_proxy.Stalls, Is.EqualTo(1), "the submit's answer was held back");

        // The submit ran: its task is in the circle's index, taken by the Api's worker.
        var ids = await _direct.GetDatabase().SortedSetRangeByRankAsync(RedisKeys.Index(circle));
        Assert.That(ids, Has.Length.EqualTo(1), "the submit was stored");
        var (status, attempts) = await WaitForEndAsync(circle, (string)ids[0]!);
        Assert.That((status, attempts), Is.EqualTo(("completed", 1)),
            $"the task the submit took for the Api's worker ran at once, as its first attempt:\n{api.Log}");
    }

    [Test]
    public async Task Completion_WhoseAnswerIsLost_IsNotCalledFenced_AndStartsTheTaskItClaimed()
    {
        var circle = TestRedis.NewCircle("lost-complete");
        var marker = $"lost-answer-{Guid.NewGuid():N}";
        // With one slot, the first task's completion claims the second for it in the same script.
        var tasks = await SubmitAsync(circle, $"'{marker}'", "6 * 7");
        var complete = await DigestAsync("complete", "claiming");
        _proxy.StallAfter(sent => sent.Contains(complete, StringComparison.Ordinal) && sent.Contains(marker, StringComparison.Ordinal), Stall);

        await using var worker = await StartWorkerAsync(circle);
        var first = await WaitForEndAsync(circle, tasks[0].Id);
        var second = await WaitForEndAsync(circle, tasks[1].Id);

        Assert.That(_proxy.Stalls, Is.EqualTo(1), "the completion's answer was held back");
        Assert.That(worker.Log, Does.Contain("Redis is unavailable"), "the worker timed out and sent the completion again");
        Assert.That(first, Is.EqualTo(("completed", 1)));
        Assert.That(second, Is.EqualTo(("completed", 1)),
            $"the task the first completion claimed ran at once, as its first attempt:\n{worker.Log}");
        Assert.That(worker.Log, Does.Not.Contain("lease was taken over"), "the repeat knew the outcome was its own");
        Assert.That((string?)await _direct.GetDatabase().HashGetAsync(RedisKeys.Task(circle, tasks[0].Id), "result"), Is.EqualTo($"\"{marker}\""));
    }
}
