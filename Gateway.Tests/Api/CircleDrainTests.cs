using System.Net;
using System.Text.Json.Nodes;
using Gateway.Core.Redis;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Api;

/// <summary>
/// <c>POST /api/circles/{c}/drain</c> cancels every task waiting in the circle, in every lane and
/// past one script run's worth; with <c>?scheduled=true</c> the scheduled ones too. Running tasks
/// go on. (That the circle's stream tells each cancel is shown through the client.)
/// </summary>
[TestFixture]
public sealed class CircleDrainTests : ApiFixture
{
    [Test]
    public async Task Drain_CancelsEveryQueuedTaskOfEveryPriority_LeavingTheRunningAndTheScheduled_ThenScheduledTakesThoseToo()
    {
        var circle = TestRedis.NewCircle("drain");
        var running = await Client.SubmitAsync(circle, new { script = Scripts.BusyFor(1500) });
        await Client.WaitForStatusAsync(circle, running.Id, "processing");
        await PostAsync($"/api/circles/{circle}/pause");
        // More than one run of the script takes, spread over three lanes.
        var queued = new List<string>();
        var count = TaskQueue.DrainStep * 2 + 100;
        for (var done = 0; done < count; done += 500)
            queued.AddRange(await SubmitBatchAsync(circle, Enumerable.Range(done, Math.Min(500, count - done)).Select(i => new JsonObject
            {
                ["script"] = $"{i}",
                ["priority"] = i % 3 * 4,
            })));
        var delayed = await SubmitBatchAsync(circle, [new JsonObject { ["script"] = "'later'", ["delayMs"] = 600_000 }]);

        var drained = await PostAsync($"/api/circles/{circle}/drain");

        Assert.That(drained.Body!["cancelled"]!.GetValue<long>(), Is.EqualTo(count), drained.ToString());
        var figures = drained.Body!["circle"]!;
        Assert.That((figures["pending"]!.GetValue<long>(), figures["scheduled"]!.GetValue<long>(), figures["processing"]!.GetValue<long>()),
            Is.EqualTo((0L, 1L, 1L)), drained.ToString());
        foreach (var id in queued.Where((_, i) => i % 97 == 0).Append(queued[^1]))
        {
            var task = await Client.GetTaskAsync(circle, id);
            Assert.That((task.TaskStatus, task.Body!["attempts"]!.GetValue<int>()), Is.EqualTo(("cancelled", 0)), task.ToString());
            Assert.That(task.Body!["finishedAt"]!.GetValue<DateTimeOffset>(), Is.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(-1)));
        }
        Assert.That((await Client.GetTaskAsync(circle, delayed[0])).TaskStatus, Is.EqualTo("scheduled"));

        var withScheduled = await PostAsync($"/api/circles/{circle}/drain?scheduled=true");
        Assert.That(withScheduled.Body!["cancelled"]!.GetValue<long>(), Is.EqualTo(1), withScheduled.ToString());
        Assert.That(withScheduled.Body!["circle"]!["scheduled"]!.GetValue<long>(), Is.Zero);
        var late = await Client.GetTaskAsync(circle, delayed[0]);
        Assert.That((late.TaskStatus, late.Body!["runAt"]), Is.EqualTo(("cancelled", (JsonNode?)null)), late.ToString());

        await PostAsync($"/api/circles/{circle}/resume");
        Assert.That((await Client.GetTaskAsync(circle, running.Id, wait: 10)).TaskStatus, Is.EqualTo("completed"), "the running task went on");
        var again = await PostAsync($"/api/circles/{circle}/drain?scheduled=true");
        Assert.That(again.Body!["cancelled"]!.GetValue<long>(), Is.Zero, "nothing waits any more");
    }

    [TestCase("maybe")]
    [TestCase("1")]
    [TestCase("")]
    public async Task Drain_WithScheduledNotTrueOrFalse_Is400NamingIt_AndCancelsNothing(string value)
    {
        var circle = TestRedis.NewCircle("drain");
        await PostAsync($"/api/circles/{circle}/pause");
        var task = await Client.SubmitAsync(circle, new { script = "1" });

        var response = await GatewayClient.ReadAsync(await Client.PostAsync($"/api/circles/{circle}/drain?scheduled={value}", null));

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest), response.ToString());
        Assert.That(response.Body!["errors"]!["scheduled"], Is.Not.Null, response.ToString());
        Assert.That((await Client.GetTaskAsync(circle, task.Id)).TaskStatus, Is.EqualTo("pending"));
        await PostAsync($"/api/circles/{circle}/resume");
    }

    [Test]
    public async Task Drain_OfABadCircleName_Is400()
    {
        var response = await GatewayClient.ReadAsync(await Client.PostAsync("/api/circles/not%20a%20circle/drain", null));

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest), response.ToString());
    }

    private async Task<ApiResponse> PostAsync(string path)
    {
        var response = await GatewayClient.ReadAsync(await Client.PostAsync(path, null));
        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK), response.ToString());
        return response;
    }

    /// <summary>Submits the tasks as one batch; their ids in submit order.</summary>
    private async Task<List<string>> SubmitBatchAsync(string circle, IEnumerable<JsonObject> tasks)
    {
        var body = new JsonObject { ["tasks"] = new JsonArray(tasks.Cast<JsonNode>().ToArray()) };
        var response = await GatewayClient.ReadAsync(await Client.PostAsync($"/api/circles/{circle}/tasks/batch",
            new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json")));
        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Accepted), response.ToString());
        return response.Body!["tasks"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()).ToList();
    }
}
