using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Gateway.Core.Redis;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Reliability;

/// <summary>Faults of real worker processes: SIGKILL mid-task, SIGTERM under load, SIGTERM past the grace period.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ProcessFaultTests
{
    private static string BusyFor(int ms) => Scripts.BusyFor(ms);

    private static Task<ApiResponse> WaitForProcessingAsync(HttpClient client, string circle, string id) =>
        client.WaitForStatusAsync(circle, id, "processing", TimeSpan.FromSeconds(30));

    [Test]
    public async Task Sigkill_OfTheWorkerRunningATask_TheTaskCompletesOnAnotherWorker_WithAttempts2()
    {
        var circle = TestRedis.NewCircle("kill");
        var settings = new Dictionary<string, string>
        {
            ["Gateway:Workers:Circles:0"] = circle,
            ["Gateway:Workers:LeaseSeconds"] = "2",
        };
        await using var api = new GatewayFactory(new Dictionary<string, string?> { ["Gateway:Workers:Enabled"] = "false" });
        using var client = api.CreateClient();
        await using var a = await HostProcess.StartWorkerAsync(settings);
        await using var b = await HostProcess.StartWorkerAsync(settings);

        var submitted = await client.SubmitAsync(circle, new { script = BusyFor(2000), timeoutMs = 10000 });
        var running = await WaitForProcessingAsync(client, circle, submitted.Id);
        var victim = running.Body!["workerId"]!.GetValue<string>().EndsWith($"-{a.Pid}", StringComparison.Ordinal) ? a : b;
        var survivor = victim == a ? b : a;
        victim.Kill();

        var done = await client.GetTaskAsync(circle, submitted.Id, wait: 30);
        Assert.That(done.TaskStatus, Is.EqualTo("completed"), $"{done}\n{survivor.Log}");
        Assert.That(done.Body!["attempts"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(done.Body!["workerId"]!.GetValue<string>(), Does.EndWith($"-{survivor.Pid}"));
        Assert.That(done.Result!.GetValue<double>(), Is.EqualTo(2000));
    }

    [Test]
    public async Task Sigterm_OfAWorkerUnderLoad_EveryTaskCompletesOnce_AndNoneWaitsForALease()
    {
        const int total = 200;
        var circle = TestRedis.NewCircle("term");
        // A long lease: a task that had to wait for it to run out would blow the test's time.
        var settings = new Dictionary<string, string>
        {
            ["Gateway:Workers:Circles:0"] = circle,
            ["Gateway:Workers:LeaseSeconds"] = "120",
            ["Gateway:Workers:Concurrency"] = "8",
        };
        await using var api = new GatewayFactory(new Dictionary<string, string?> { ["Gateway:Workers:Enabled"] = "false" });
        using var client = api.CreateClient();
        await using var a = await HostProcess.StartWorkerAsync(settings);
        await using var b = await HostProcess.StartWorkerAsync(settings);

        var random = new Random(7);
        var batch = Enumerable.Range(0, total).Select(_ => new { script = BusyFor(random.Next(100, 501)), timeoutMs = 5000 }).ToArray();
        var submitted = await GatewayClient.ReadAsync(await client.PostAsync($"/api/circles/{circle}/tasks/batch",
            System.Net.Http.Json.JsonContent.Create(new { tasks = batch })));
        Assert.That(submitted.Status, Is.EqualTo(HttpStatusCode.Accepted), submitted.ToString());
        var ids = submitted.Body!["tasks"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()).ToArray();

        await Task.Delay(1500);
        var clock = Stopwatch.StartNew();
        a.Terminate();
        await a.WaitForExitAsync(TimeSpan.FromSeconds(40));
        Assert.That(a.ExitCode, Is.Zero, a.Log);
        Assert.That(a.Log, Does.Contain("Stopping: waiting up to 25 s"),
            $"the worker was busy when it got SIGTERM; {await TestRedis.Connection.GetDatabase().ListLengthAsync(RedisKeys.Queue(circle))} tasks were still queued; the other worker:\n{b.Log}");

        var results = new ConcurrentBag<ApiResponse>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, _) =>
            results.Add(await client.GetTaskAsync(circle, id, wait: 60)));
        clock.Stop();

        Assert.That(results.Select(r => r.TaskStatus), Is.All.EqualTo("completed"));
        Assert.That(results.Select(r => r.Body!["attempts"]!.GetValue<int>()), Is.All.EqualTo(1), "no task ran twice");
        Assert.That(results.Select(r => r.Id).Distinct().Count(), Is.EqualTo(total));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(100)), "no task waited for its 120 s lease");
    }

    [Test]
    public async Task Sigterm_PastTheGracePeriod_GivesTheTaskBackAtOnce_ToAnotherWorker()
    {
        var circle = TestRedis.NewCircle("grace");
        var settings = new Dictionary<string, string>
        {
            ["Gateway:Workers:Circles:0"] = circle,
            ["Gateway:Workers:LeaseSeconds"] = "120",
            ["Gateway:Workers:ShutdownGraceSeconds"] = "1",
        };
        await using var api = new GatewayFactory(new Dictionary<string, string?> { ["Gateway:Workers:Enabled"] = "false" });
        using var client = api.CreateClient();
        await using var first = await HostProcess.StartWorkerAsync(settings);

        var submitted = await client.SubmitAsync(circle, new { script = BusyFor(4000), timeoutMs = 20000 });
        await WaitForProcessingAsync(client, circle, submitted.Id);
        var clock = Stopwatch.StartNew();
        first.Terminate();
        await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.That(first.Log, Does.Contain("given back"), first.Log);

        var requeued = await client.GetTaskAsync(circle, submitted.Id);
        Assert.That(requeued.TaskStatus, Is.EqualTo("pending"), "back in the queue at once, not after the lease");
        Assert.That(requeued.Body!["attempts"]!.GetValue<int>(), Is.Zero, "the interrupted run is not counted");

        await using var second = await HostProcess.StartWorkerAsync(settings);
        var done = await client.GetTaskAsync(circle, submitted.Id, wait: 30);
        Assert.That(done.TaskStatus, Is.EqualTo("completed"), $"{done}\n{second.Log}");
        Assert.That(done.Body!["attempts"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(done.Body!["workerId"]!.GetValue<string>(), Does.EndWith($"-{second.Pid}"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)));
    }
}
