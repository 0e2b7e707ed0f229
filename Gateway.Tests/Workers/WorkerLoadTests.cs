using Gateway.Tests;
using System.Collections.Concurrent;
using System.Net;
using Gateway.Core.Redis;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Workers;

[TestFixture]
public sealed class WorkerLoadTests
{
    [Test]
    public async Task TwoThousandTasks_From32Clients_AllCompleteOnceWithTheirOwnResult()
    {
        const int total = 2000;
        const int clients = 32;
        await using var factory = new GatewayFactory();
        var circle = TestRedis.NewCircle("load");
        var ids = new ConcurrentDictionary<int, string>();
        factory.CreateClient().Dispose(); // start the host once, before clients race to it

        await Parallel.ForEachAsync(Enumerable.Range(0, clients), async (c, _) =>
        {
            using var client = factory.CreateClient();
            for (var i = c; i < total; i += clients)
            {
                var response = await client.SubmitAsync(circle, new { script = "args.i * 2 + 1", args = new { i } });
                Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Accepted), response.ToString());
                Assert.That(ids.TryAdd(i, response.Id), Is.True);
            }
        });
        Assert.That(ids.Values.Distinct().Count(), Is.EqualTo(total), "every submit got its own id");

        var results = new ConcurrentDictionary<int, ApiResponse>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = clients }, async (pair, _) =>
        {
            using var client = factory.CreateClient();
            results[pair.Key] = await client.GetTaskAsync(circle, pair.Value, wait: 60);
        });

        Assert.Multiple(() =>
        {
            foreach (var (i, task) in results)
            {
                Assert.That(task.TaskStatus, Is.EqualTo("completed"), task.ToString());
                Assert.That(task.Result!.GetValue<double>(), Is.EqualTo(i * 2 + 1), task.ToString());
                Assert.That(task.Body!["attempts"]!.GetValue<int>(), Is.EqualTo(1), "no task ran twice");
            }
        });

        var db = TestRedis.Connection.GetDatabase();
        Assert.That(await db.SortedSetLengthAsync(RedisKeys.Index(circle)), Is.EqualTo(total), "the index holds each task once");
        Assert.That(await db.ListLengthAsync(RedisKeys.Queue(circle)), Is.Zero, "nothing left queued");
        Assert.That(await db.SortedSetLengthAsync(RedisKeys.Processing(circle)), Is.Zero, "nothing left in processing");
    }

    [Test]
    public async Task WorkerProcess_RunsTheTasks_OfAnApiWhoseWorkersAreOff()
    {
        var circle = TestRedis.NewCircle("remote");
        await using var factory = new GatewayFactory(new Dictionary<string, string?> { ["Gateway:Workers:Enabled"] = "false" });
        using var client = factory.CreateClient();
        await using var worker = await HostProcess.StartWorkerAsync(new Dictionary<string, string> { ["Gateway:Workers:Circles:0"] = circle });

        var submitted = await client.SubmitAsync(circle, new { script = "args.name + ' ran remotely'", args = new { name = "task" } });
        Assert.That(submitted.Status, Is.EqualTo(HttpStatusCode.Accepted));
        var done = await client.GetTaskAsync(circle, submitted.Id, wait: 30);

        Assert.That(done.TaskStatus, Is.EqualTo("completed"), $"{done}\nworker log:\n{worker.Log}");
        Assert.That(done.Result!.GetValue<string>(), Is.EqualTo("task ran remotely"));
        Assert.That(done.Body!["workerId"]!.GetValue<string>(), Does.EndWith($"-{worker.Pid}"));
    }
}
