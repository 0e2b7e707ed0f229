using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Reliability;

[TestFixture]
[NonParallelizable]
public sealed class RedisOutageTests
{
    [Test]
    public async Task RedisStoppedForFiveSecondsUnderLoad_Answers503NeverA500_AndEveryAcceptedTaskCompletes()
    {
        using var redis = new RestartableRedis();
        await using var api = new GatewayFactory(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = redis.ConnectionString });
        api.CreateClient().Dispose();

        var accepted = new ConcurrentBag<(string Circle, string Id)>();
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var slowest = TimeSpan.Zero;
        var circle = TestRedis.NewCircle("outage");
        using var stop = new CancellationTokenSource();

        var load = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            using var client = api.CreateClient();
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                var clock = Stopwatch.StartNew();
                var response = await client.SubmitAsync(circle, new { script = "args.i + 1", args = new { i = i++ } });
                clock.Stop();
                lock (statuses)
                {
                    if (clock.Elapsed > slowest)
                        slowest = clock.Elapsed;
                }
                statuses.AddOrUpdate(response.Status, 1, (_, n) => n + 1);
                if (response.Status == HttpStatusCode.Accepted)
                    accepted.Add((circle, response.Body?["id"]?.ToString() ?? throw new AssertionException($"no id in {response}")));
                else
                    Assert.That(response.Message.Headers.RetryAfter, Is.Not.Null, response.ToString());
                await Task.Delay(20);
            }
        })).ToArray();

        await Task.Delay(1500);
        redis.Stop();
        await Task.Delay(5000);
        redis.Start();
        await Task.Delay(2500);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.That(statuses.Keys, Is.SubsetOf(new[] { HttpStatusCode.Accepted, HttpStatusCode.ServiceUnavailable }),
            string.Join(", ", statuses.Select(s => $"{(int)s.Key}×{s.Value}")));
        Assert.That(statuses.GetValueOrDefault(HttpStatusCode.ServiceUnavailable), Is.GreaterThan(0), "the outage was seen");
        Assert.That(slowest, Is.LessThan(TimeSpan.FromSeconds(2)), "no request hung while Redis was away");

        using var reader = api.CreateClient();
        var unfinished = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(accepted, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (task, _) =>
        {
            var result = await reader.GetTaskAsync(task.Circle, task.Id, wait: 30);
            for (var retry = 0; retry < 10 && result.Status == HttpStatusCode.ServiceUnavailable; retry++)
            {
                // What a client does with a 503: wait as Retry-After says, then ask again.
                await Task.Delay(TimeSpan.FromSeconds(1));
                result = await reader.GetTaskAsync(task.Circle, task.Id, wait: 30);
            }
            if (result.TaskStatus != "completed")
                unfinished.Add(result.ToString());
        });
        Assert.That(accepted, Is.Not.Empty);
        Assert.That(unfinished, Is.Empty, $"{unfinished.Count} of {accepted.Count} accepted tasks did not complete");
        TestContext.Progress.WriteLine(
            $"Outage: {accepted.Count} accepted, {statuses.GetValueOrDefault(HttpStatusCode.ServiceUnavailable)} answered 503, slowest answer {slowest.TotalMilliseconds:0} ms");
    }

    [Test]
    public async Task WithRedisAway_HealthReadyIs503_AndLiveStays200()
    {
        using var redis = new RestartableRedis();
        await using var api = new GatewayFactory(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = redis.ConnectionString });
        using var client = api.CreateClient();
        // Ready once Redis answers and the process hears task events (a moment after start).
        var ready = HttpStatusCode.ServiceUnavailable;
        for (var clock = Stopwatch.StartNew(); ready != HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(15); await Task.Delay(100))
            ready = (await client.GetAsync("/health/ready")).StatusCode;
        Assert.That(ready, Is.EqualTo(HttpStatusCode.OK));

        redis.Stop();

        Assert.That((await client.GetAsync("/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await client.GetAsync("/health/ready")).StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));

        // The detailed report still answers, and says which check failed.
        var health = await GatewayClient.ReadAsync(await client.GetAsync("/api/health"));
        Assert.That(health.Status, Is.EqualTo(HttpStatusCode.OK), health.ToString());
        Assert.That(health.Body!["status"]!.GetValue<string>(), Is.EqualTo("unhealthy"), health.ToString());
        var redisCheck = health.Body["checks"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "redis")!;
        Assert.That(redisCheck["status"]!.GetValue<string>(), Is.EqualTo("unhealthy"), health.ToString());
        Assert.That(redisCheck["description"]!.GetValue<string>(), Does.Contain("did not answer"));

        var read = await client.GetTaskAsync("any", "0123456789abcdef0123456789abcdef");
        Assert.That(read.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), read.ToString());
        Assert.That(read.Message.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }
}
