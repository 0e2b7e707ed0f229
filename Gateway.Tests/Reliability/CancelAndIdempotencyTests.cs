using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Gateway.Core.Redis;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Reliability;

[TestFixture]
public sealed class CancelAndIdempotencyTests : ApiFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Gateway:Workers:Concurrency"] = "1",
    };

    private async Task<ApiResponse> DeleteAsync(string circle, string id) =>
        await GatewayClient.ReadAsync(await Client.DeleteAsync($"/api/circles/{circle}/tasks/{id}"));

    [Test]
    public async Task CancelPendingTask_LeavesTheQueue_AndIsCancelledAtOnce()
    {
        var circle = TestRedis.NewCircle("cancel");
        // The only worker slot is busy, so the second task stays pending.
        var blocker = await Client.SubmitAsync(circle, new { script = Scripts.BusyFor(1500) });
        await Client.WaitForStatusAsync(circle, blocker.Id, "processing");
        var pending = await Client.SubmitAsync(circle, new { script = "'should never run'" });

        var clock = Stopwatch.StartNew();
        var cancelled = await DeleteAsync(circle, pending.Id);
        clock.Stop();

        Assert.That(cancelled.Status, Is.EqualTo(HttpStatusCode.OK), cancelled.ToString());
        Assert.That(cancelled.TaskStatus, Is.EqualTo("cancelled"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));
        Assert.That(await TestRedis.Connection.GetDatabase().ListLengthAsync(RedisKeys.Queue(circle)), Is.Zero);

        await Client.GetTaskAsync(circle, blocker.Id, wait: 10);
        var later = await Client.GetTaskAsync(circle, pending.Id);
        Assert.That(later.TaskStatus, Is.EqualTo("cancelled"), "a cancelled task is never run");
        Assert.That(later.Body!["attempts"]!.GetValue<int>(), Is.Zero);
    }

    [Test]
    public async Task CancelRunningEndlessLoop_StopsItWithinASecond_AndFreesTheSlot()
    {
        var circle = TestRedis.NewCircle("cancel");
        var running = await Client.SubmitAsync(circle, new { script = "while (true) {}", timeoutMs = 60000 });
        await Client.WaitForStatusAsync(circle, running.Id, "processing");

        var clock = Stopwatch.StartNew();
        var cancelled = await DeleteAsync(circle, running.Id);
        clock.Stop();

        Assert.That(cancelled.Status, Is.EqualTo(HttpStatusCode.OK), cancelled.ToString());
        Assert.That(cancelled.TaskStatus, Is.EqualTo("cancelled"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)));

        var next = await Client.SubmitAsync(circle, new { script = "'slot is free'" }, wait: 5);
        Assert.That(next.TaskStatus, Is.EqualTo("completed"), "the only worker slot must be free again");
        Assert.That(next.Result!.GetValue<string>(), Is.EqualTo("slot is free"));
    }

    [Test]
    public async Task CancelFinishedTask_Is409_AndUnknownTask_Is404()
    {
        var circle = TestRedis.NewCircle("cancel");
        var done = await Client.RunAsync(circle, "1");

        var finished = await DeleteAsync(circle, done.Id);
        Assert.That(finished.Status, Is.EqualTo(HttpStatusCode.Conflict), finished.ToString());
        Assert.That(finished.Body!["detail"]!.GetValue<string>(), Does.Contain("completed"));

        var unknown = await DeleteAsync(circle, "0123456789abcdef0123456789abcdef");
        Assert.That(unknown.Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    private async Task<ApiResponse> SubmitWithKeyAsync(string circle, string key, object body, string query = "") =>
        await SubmitWithKeyAsync(circle, key, System.Net.Http.Json.JsonContent.Create(body), query);

    private async Task<ApiResponse> SubmitWithKeyAsync(string circle, string key, HttpContent body, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/circles/{circle}/tasks{query}") { Content = body };
        request.Headers.Add("Idempotency-Key", key);
        return await GatewayClient.ReadAsync(await Client.SendAsync(request));
    }

    [Test]
    public async Task SameIdempotencyKeyTwice_ReturnsTheSameTask_RunOnce()
    {
        var circle = TestRedis.NewCircle("idem");
        var body = new { script = "args.n * 2", args = new { n = 21 } };

        var one = await SubmitWithKeyAsync(circle, "order-42", body, "?wait=5");
        var two = await SubmitWithKeyAsync(circle, "order-42", body);

        Assert.That(one.Status, Is.EqualTo(HttpStatusCode.OK), one.ToString());
        Assert.That(two.Status, Is.EqualTo(HttpStatusCode.OK), "the original task, finished: 200");
        Assert.That(two.Id, Is.EqualTo(one.Id));
        Assert.That(two.Result!.GetValue<double>(), Is.EqualTo(42));
        Assert.That(two.Body!["attempts"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(await TestRedis.Connection.GetDatabase().SortedSetLengthAsync(RedisKeys.Index(circle)), Is.EqualTo(1), "one task, one execution");
    }

    [Test]
    public async Task SameIdempotencyKey_WithAnotherBody_Is409()
    {
        var circle = TestRedis.NewCircle("idem");

        var original = await SubmitWithKeyAsync(circle, "k-1", new { script = "1" });
        var conflict = await SubmitWithKeyAsync(circle, "k-1", new { script = "2" });

        Assert.That(original.Status, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(conflict.Status, Is.EqualTo(HttpStatusCode.Conflict), conflict.ToString());
        Assert.That(conflict.Body!["detail"]!.GetValue<string>(), Does.Contain(original.Id));
    }

    [Test]
    public async Task SameIdempotencyKey_ByScriptName_AfterANewVersion_ReturnsTheOriginalTask()
    {
        var circle = TestRedis.NewCircle("idem");
        await Client.PutAsJsonAsync($"/api/circles/{circle}/scripts/double", new { script = "args.n * 2" });
        var body = new { scriptName = "double", args = new { n = 21 } };

        var original = await SubmitWithKeyAsync(circle, "by-name", body, "?wait=5");
        await Client.PutAsJsonAsync($"/api/circles/{circle}/scripts/double", new { script = "args.n * 3" });
        // The same request again: the key names what was sent, not the text it resolved to.
        var again = await SubmitWithKeyAsync(circle, "by-name", body);
        var pinned = await SubmitWithKeyAsync(circle, "by-name", new { scriptName = "double", scriptVersion = 2, args = new { n = 21 } });

        Assert.That(original.Status, Is.EqualTo(HttpStatusCode.OK), original.ToString());
        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.OK), again.ToString());
        Assert.That(again.Id, Is.EqualTo(original.Id));
        Assert.That(again.Result!.GetValue<double>(), Is.EqualTo(42), "the original run, by version 1");
        Assert.That(pinned.Status, Is.EqualTo(HttpStatusCode.Conflict), "another body under the same key: " + pinned);
        Assert.That(await TestRedis.Connection.GetDatabase().SortedSetLengthAsync(RedisKeys.Index(circle)), Is.EqualTo(1));
    }

    [Test]
    public async Task SameIdempotencyKey_AfterTheRegisteredScriptWasDeleted_ReturnsTheOriginalTask()
    {
        var circle = TestRedis.NewCircle("idem");
        await Client.PutAsJsonAsync($"/api/circles/{circle}/scripts/gone", new { script = "args.n * 2" });
        var body = new { scriptName = "gone", args = new { n = 21 } };

        var original = await SubmitWithKeyAsync(circle, "before-delete", body, "?wait=5");
        Assert.That((await Client.DeleteAsync($"/api/circles/{circle}/scripts/gone")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var again = await SubmitWithKeyAsync(circle, "before-delete", body, "?wait=5");
        var fresh = await SubmitWithKeyAsync(circle, "after-delete", body);

        Assert.That(original.Status, Is.EqualTo(HttpStatusCode.OK), original.ToString());
        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.OK), "a resend is judged as the request it repeats: " + again);
        Assert.That(again.Id, Is.EqualTo(original.Id));
        Assert.That(again.Result!.GetValue<double>(), Is.EqualTo(42));
        Assert.That(fresh.Status, Is.EqualTo(HttpStatusCode.NotFound), "the same body under a new key names a script that is gone: " + fresh);
        Assert.That(await TestRedis.Connection.GetDatabase().SortedSetLengthAsync(RedisKeys.Index(circle)), Is.EqualTo(1));
    }

    [Test]
    public async Task SameIdempotencyKey_AfterItsRunAtPassedTheTolerance_ReturnsTheOriginalTask()
    {
        var circle = TestRedis.NewCircle("idem");
        // A minute is the tolerance for a runAt in the past: 57 s is accepted (and runs at once), and
        // four seconds later the same instant is refused for a new request.
        var body = new { script = "7", runAt = DateTimeOffset.UtcNow.AddSeconds(-57) };

        var original = await SubmitWithKeyAsync(circle, "late", body, "?wait=5");
        await Task.Delay(TimeSpan.FromSeconds(4));
        var again = await SubmitWithKeyAsync(circle, "late", body);
        var fresh = await SubmitWithKeyAsync(circle, "late-new", body);

        Assert.That(original.Status, Is.EqualTo(HttpStatusCode.OK), original.ToString());
        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.OK), again.ToString());
        Assert.That(again.Id, Is.EqualTo(original.Id));
        Assert.That(fresh.Status, Is.EqualTo(HttpStatusCode.BadRequest), fresh.ToString());
        Assert.That(fresh.Body!["errors"]!["runAt"], Is.Not.Null, fresh.ToString());
        Assert.That(await TestRedis.Connection.GetDatabase().SortedSetLengthAsync(RedisKeys.Index(circle)), Is.EqualTo(1));
    }

    [Test]
    public async Task SameIdempotencyKey_ArgsWithOtherWhitespace_IsTheSameRequest_OtherValues_Are409()
    {
        var circle = TestRedis.NewCircle("idem");
        static HttpContent Json(string text) => new StringContent(text, System.Text.Encoding.UTF8, "application/json");

        var original = await SubmitWithKeyAsync(circle, "spaced", Json("""{"script":"args.a + args.b","args":{"a":1,"b":2}}"""), "?wait=5");
        var spaced = await SubmitWithKeyAsync(circle, "spaced", Json("""{ "script": "args.a + args.b", "args": { "a" : 1,  "b":2 } }"""));
        var other = await SubmitWithKeyAsync(circle, "spaced", Json("""{"script":"args.a + args.b","args":{"a":1,"b":3}}"""));

        Assert.That(original.Status, Is.EqualTo(HttpStatusCode.OK), original.ToString());
        Assert.That(spaced.Status, Is.EqualTo(HttpStatusCode.OK), "whitespace is not part of a JSON value: " + spaced);
        Assert.That(spaced.Id, Is.EqualTo(original.Id));
        Assert.That(other.Status, Is.EqualTo(HttpStatusCode.Conflict), other.ToString());
    }

    [Test]
    public async Task TwoIdempotencyKeyHeaders_Is400_AndStoresNothing()
    {
        var circle = TestRedis.NewCircle("idem");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/circles/{circle}/tasks") { Content = JsonContent.Create(new { script = "1" }) };
        request.Headers.Add("Idempotency-Key", ["a", "b"]);

        var response = await GatewayClient.ReadAsync(await Client.SendAsync(request));

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest), response.ToString());
        Assert.That(response.Body!["errors"]!["Idempotency-Key"], Is.Not.Null, response.ToString());
        Assert.That(await TestRedis.Connection.GetDatabase().SortedSetLengthAsync(RedisKeys.Index(circle)), Is.Zero);
    }

    [Test]
    public async Task IdempotencyKeyTooLong_Is400()
    {
        var response = await SubmitWithKeyAsync(TestRedis.NewCircle(), new string('k', 129), new { script = "1" });

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Body!.ToJsonString(), Does.Contain("Idempotency-Key"));
    }

    [Test]
    public async Task EventStream_SendsOneStatusEventPerChange_AndEndsAfterTheTerminalOne()
    {
        var circle = TestRedis.NewCircle("sse");
        var task = await Client.SubmitAsync(circle, new { script = Scripts.BusyFor(300) + "; 'streamed'" });

        using var response = await Client.GetAsync($"/api/circles/{circle}/tasks/{task.Id}/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        var body = await response.Content.ReadAsStringAsync().WaitAsync(TimeSpan.FromSeconds(20));

        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Where(e => e.StartsWith("event: status", StringComparison.Ordinal)).ToArray();
        var statuses = events.Select(e => System.Text.Json.Nodes.JsonNode.Parse(e.Split("data: ", 2)[1])!["status"]!.GetValue<string>()).ToArray();
        Assert.That(statuses.Last(), Is.EqualTo("completed"), body);
        Assert.That(statuses, Is.Unique, body);
        Assert.That(statuses, Is.SubsetOf(new[] { "pending", "processing", "completed" }));
        Assert.That(events.Last(), Does.Contain("\"result\":\"streamed\""));
    }

    [Test]
    public async Task FinishedTask_ExpiresAfterTheRetentionPeriod()
    {
        var circle = TestRedis.NewCircle("ttl");
        var task = await Client.RunAsync(circle, "1");

        var ttl = await TestRedis.Connection.GetDatabase().KeyTimeToLiveAsync(RedisKeys.Task(circle, task.Id));

        Assert.That(ttl, Is.Not.Null);
        Assert.That(ttl!.Value, Is.InRange(TimeSpan.FromHours(23.9), TimeSpan.FromHours(24)));
    }
}
