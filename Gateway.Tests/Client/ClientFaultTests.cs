using System.Diagnostics;
using Gateway.Client;
using Microsoft.Extensions.DependencyInjection;
using HostProcess = Gateway.Tests.Infrastructure.HostProcess;
using RestartableRedis = Gateway.Tests.Infrastructure.RestartableRedis;
using Scripts = Gateway.Tests.Infrastructure.Scripts;

namespace Gateway.Tests.Client;

/// <summary>The client's retries against real faults: Redis away for a while, the API process killed mid-request.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ClientFaultTests
{
    [Test]
    public async Task RunAsync_RedisStoppedForThreeSeconds_StillReturnsTheResult_AndTheTaskRanOnce()
    {
        using var redis = new RestartableRedis();
        await using var api = await HostProcess.StartAsync("Gateway.Api", new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
        });
        var recorder = new RecordingHandler();
        // Short polls, so that some land in the outage and meet its 503s.
        await using var provider = Client(api.Port, recorder, longPoll: TimeSpan.FromSeconds(1));
        var client = provider.GetRequiredService<GatewayClient>();
        var circle = TestRedis.NewCircle("outage");

        // The script outlasts the outage, so it finishes with Redis back.
        var clock = Stopwatch.StartNew();
        var run = client.RunAsync(circle, Scripts.BusyFor(5000), timeout: TimeSpan.FromSeconds(60),
            options: new SubmitOptions { ScriptTimeout = TimeSpan.FromSeconds(30) });
        // Redis goes away while the submit waits for the running script.
        await WaitUntilAsync(() => recorder.Sent > 0 || run.IsCompleted, "the submit was not sent");
        await Task.Delay(700);
        Assert.That(run.IsCompleted, Is.False, "the run ended before the outage");
        var stopping = clock.Elapsed;
        redis.Stop();
        var stopped = clock.Elapsed;
        await Task.Delay(3000);
        redis.Start();
        var started = clock.Elapsed;
        var task = await run;
        TestContext.Progress.WriteLine($"Redis stopping at {stopping.TotalSeconds:0.0} s, stopped {stopped.TotalSeconds:0.0} s, back {started.TotalSeconds:0.0} s; RunAsync returned at {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.That(task.Status, Is.EqualTo(GatewayTaskStatus.Completed));
        Assert.That(task.GetResult<int>(), Is.EqualTo(5000));
        Assert.That(task.FinishedAt, Is.GreaterThan(task.CreatedAt + TimeSpan.FromSeconds(4)), "it ran through the outage");
        Assert.That(task.Attempts, Is.EqualTo(1), "the script ran once");
        var listed = await client.ListTasksAsync(circle).ToListAsync();
        Assert.That(listed.Select(t => t.Id), Is.EqualTo(new[] { task.Id }), "one task in the circle");
        var keys = recorder.Attempts.Where(a => a.Method == HttpMethod.Post).Select(a => a.IdempotencyKey).Distinct().ToArray();
        Assert.That(keys, Has.Length.EqualTo(1), "every attempt of the submit carried the same key");
        Assert.That(recorder.Attempts.Count(a => a.Status == 503), Is.GreaterThan(0), "the client met the outage and retried through it");
        TestContext.Progress.WriteLine("Attempts: " + string.Join(", ", recorder.Attempts.Select(a => $"{a.Method} {a.Status?.ToString() ?? "no answer"}")));
    }

    [Test]
    public async Task SubmitAsync_ApiKilledAndRestartedDuringTheRequest_RetriesWithTheSameKey_AndMakesOneTask()
    {
        var circle = TestRedis.NewCircle("restart");
        var apiSettings = new Dictionary<string, string> { ["Gateway:Workers:Enabled"] = "false" };
        await using var worker = await HostProcess.StartWorkerAsync(new Dictionary<string, string>
        {
            ["Gateway:Workers:Circles:0"] = circle,
        });
        var api = await HostProcess.StartAsync("Gateway.Api", apiSettings);
        var port = api.Port;
        try
        {
            var recorder = new RecordingHandler();
            await using var provider = Client(port, recorder);
            var client = provider.GetRequiredService<GatewayClient>();
            using var observer = new GatewayClient(new GatewayClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{port}"), MaxRetries = 0 });

            // The server holds the answer while the task runs on the worker: the request is in flight when the API dies.
            var submit = client.SubmitAsync(circle, Scripts.BusyFor(4000), options: new SubmitOptions { ScriptTimeout = TimeSpan.FromSeconds(30) },
                wait: TimeSpan.FromSeconds(30));
            string? stored = null;
            await WaitUntilAsync(async () => (stored = (await observer.ListTasksAsync(circle).ToListAsync()).SingleOrDefault()?.Id) is not null,
                "the task was never stored");
            api.Kill();
            await api.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await api.DisposeAsync();
            api = await HostProcess.StartAsync("Gateway.Api", apiSettings, port: port);

            var task = await submit;
            if (!task.IsTerminal)
                task = await client.WaitAsync(circle, task.Id, TimeSpan.FromSeconds(30));

            Assert.That(task.Id, Is.EqualTo(stored), "the retry found the task of the first attempt");
            Assert.That(task.Status, Is.EqualTo(GatewayTaskStatus.Completed));
            Assert.That(task.GetResult<int>(), Is.EqualTo(4000));
            Assert.That(task.Attempts, Is.EqualTo(1));
            var listed = await client.ListTasksAsync(circle).ToListAsync();
            Assert.That(listed.Select(t => t.Id), Is.EqualTo(new[] { task.Id }), "one task in the circle");
            var posts = recorder.Attempts.Where(a => a.Method == HttpMethod.Post).ToArray();
            Assert.That(posts, Has.Length.GreaterThanOrEqualTo(2), "the submit was retried");
            Assert.That(posts.Select(p => p.IdempotencyKey).Distinct().Count(), Is.EqualTo(1), "with the same Idempotency-Key");
            Assert.That(posts.Select(p => p.Body).Distinct().Count(), Is.EqualTo(1), "and the same body");
            TestContext.Progress.WriteLine("Attempts: " + string.Join(", ", recorder.Attempts.Select(a => $"{a.Method} {a.Status?.ToString() ?? "no answer"}")));
        }
        finally
        {
            await api.DisposeAsync();
        }
    }

    [Test]
    public async Task WatchCircleAsync_ApiRestartedUnderTheStream_SaysChangesMayHaveBeenMissed_AndGoesOn()
    {
        var circle = TestRedis.NewCircle("missed");
        var api = await HostProcess.StartAsync("Gateway.Api");
        var port = api.Port;
        try
        {
            await using var provider = Client(port, new RecordingHandler());
            var client = provider.GetRequiredService<GatewayClient>();
            var watch = await CircleWatch.StartAsync(client, circle);

            api.Kill();
            await api.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await api.DisposeAsync();
            api = await HostProcess.StartAsync("Gateway.Api", port: port);
            await WaitUntilAsync(() => watch.Missed > 0, "the reopened stream never said changes may have been missed");

            await watch.EndAsync();
            Assert.That(watch.Missed, Is.EqualTo(1), "once, for the one drop");
        }
        finally
        {
            await api.DisposeAsync();
        }
    }

    [Test]
    public async Task WatchCircleAsync_RedisRestartedUnderTheApi_TheServersResyncSaysChangesMayHaveBeenMissed()
    {
        using var redis = new RestartableRedis();
        await using var api = await HostProcess.StartAsync("Gateway.Api", new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
        });
        await using var provider = Client(api.Port, new RecordingHandler());
        var client = provider.GetRequiredService<GatewayClient>();
        var circle = TestRedis.NewCircle("resync");
        var watch = await CircleWatch.StartAsync(client, circle);

        // The Api loses its subscription: messages published meanwhile are gone, and it says so.
        redis.Stop();
        await Task.Delay(1000);
        redis.Start();
        await WaitUntilAsync(async () => (await client.GetHealthAsync()).IsReady, "the Api never came back to Redis");

        await watch.EndAsync();
        // At least once: each reconnection of the Api's subscription is one.
        Assert.That(watch.Missed, Is.GreaterThanOrEqualTo(1), "the server's resync");
    }

    /// <summary>
    /// A watch of a circle's stream that counts what it was told was missed: a completed task
    /// "before" seen first, then <see cref="EndAsync"/> submits "after" and waits to see it.
    /// </summary>
    private sealed class CircleWatch
    {
        private readonly GatewayClient _client;
        private readonly string _circle;
        private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(90));
        private readonly List<string> _seen = [];
        private int _missed;
        private Task _watching = Task.CompletedTask;

        private CircleWatch(GatewayClient client, string circle) => (_client, _circle) = (client, circle);

        public int Missed => Volatile.Read(ref _missed);

        public static async Task<CircleWatch> StartAsync(GatewayClient client, string circle)
        {
            var watch = new CircleWatch(client, circle);
            watch._watching = Task.Run(watch.RunAsync);
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            await client.SubmitAsync(circle, "'before'", wait: TimeSpan.FromSeconds(30));
            await WaitUntilAsync(() => watch.Seen.Contains("before") || watch._watching.IsCompleted, "the stream never told the first task");
            Assert.That(watch._watching.IsFaulted, Is.False, watch._watching.Exception?.ToString());
            Assert.That(watch.Missed, Is.Zero, "nothing was missed yet");
            return watch;
        }

        private string[] Seen
        {
            get
            {
                lock (_seen)
                    return _seen.ToArray();
            }
        }

        public async Task EndAsync()
        {
            await _client.SubmitAsync(_circle, "'after'", wait: TimeSpan.FromSeconds(30));
            await _watching;
            Assert.That(Seen, Is.EqualTo(new[] { "before", "after" }));
            _stop.Dispose();
        }

        private async Task RunAsync()
        {
            await foreach (var task in _client.WatchCircleAsync(_circle, () => Interlocked.Increment(ref _missed), _stop.Token))
            {
                if (task.Status != GatewayTaskStatus.Completed)
                    continue;
                var result = task.GetResult<string>();
                lock (_seen)
                    _seen.Add(result ?? "");
                if (result == "after")
                    return;
            }
        }
    }

    /// <summary>A DI client whose retries outlast a process restart on this loaded machine.</summary>
    private static ServiceProvider Client(int port, RecordingHandler recorder, TimeSpan? longPoll = null)
    {
        var services = new ServiceCollection();
        services.AddGatewayClient(o =>
        {
            o.BaseAddress = new Uri($"http://127.0.0.1:{port}");
            o.MaxRetries = 20;
            o.RetryDelay = TimeSpan.FromMilliseconds(250);
            o.MaxRetryDelay = TimeSpan.FromSeconds(2);
            o.LongPollWait = longPoll ?? o.LongPollWait;
        }).AddHttpMessageHandler(() => recorder);
        return services.BuildServiceProvider();
    }

    private static Task WaitUntilAsync(Func<bool> condition, string message) => WaitUntilAsync(() => Task.FromResult(condition()), message);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string message)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), message);
            await Task.Delay(20);
        }
    }
}
