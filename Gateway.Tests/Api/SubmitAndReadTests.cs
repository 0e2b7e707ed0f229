using Gateway.Tests;
using System.Diagnostics;
using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Api;

[TestFixture]
public sealed class SubmitAndReadTests : ApiFixture
{
    [Test]
    public async Task Submit_WithWait_ReturnsCompletedTask()
    {
        var circle = TestRedis.NewCircle();
        var response = await Client.SubmitAsync(circle, new { script = "args.a + args.b", args = new { a = 2, b = 3 } }, wait: 5);

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK), response.ToString());
        Assert.That(response.TaskStatus, Is.EqualTo("completed"));
        Assert.That(response.Result!.GetValue<double>(), Is.EqualTo(5));
        Assert.That(response.Body!["circle"]!.GetValue<string>(), Is.EqualTo(circle));
        Assert.That(response.Body!["attempts"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(response.Body!["workerId"]!.GetValue<string>(), Does.StartWith("gw-"));
        Assert.That(response.Body!["createdAt"]!.GetValue<string>(), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"));
    }

    [Test]
    public async Task AResultOrArgsHoldingALoneSurrogate_AreShownWithTheReplacementCharacter_EverywhereTheTaskIsRead()
    {
        // JSON.stringify escapes a lone surrogate ("\ud800"); written back as it was read, it failed every response that showed it.
        var circle = TestRedis.NewCircle("surrogate");
        var response = await Client.SendRawAsync(HttpMethod.Post, $"/api/circles/{circle}/tasks?wait=5",
            """{"script":"({ lone: String.fromCharCode(0xD800) + 'x', pair: '\ud83d\ude00', text: '\\\\ud800' })","args":{"s":"\udc00"}}""");

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK), response.ToString());
        var expected = "{\"lone\":\"\uFFFDx\",\"pair\":\"\uD83D\uDE00\",\"text\":\"\\\\ud800\"}";
        Assert.That(response.Result!.ToJsonString(), Is.EqualTo(System.Text.Json.Nodes.JsonNode.Parse(expected)!.ToJsonString()));
        var id = response.Body!["id"]!.GetValue<string>();

        var read = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/tasks/{id}"));
        Assert.That(read.Status, Is.EqualTo(HttpStatusCode.OK), read.ToString());
        Assert.That(read.Result!.ToJsonString(), Is.EqualTo(response.Result!.ToJsonString()));
        var list = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/tasks"));
        Assert.That(list.Status, Is.EqualTo(HttpStatusCode.OK), list.ToString());
        var source = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/tasks/{id}/source"));
        Assert.That(source.Status, Is.EqualTo(HttpStatusCode.OK), source.ToString());
        Assert.That(source.Body!["args"]!["s"]!.GetValue<string>(), Is.EqualTo("\uFFFD"));
    }

    [TestCase("args.a + args.b", TestName = "{m}(completed)")]
    [TestCase("console.log('x'); throw new Error('no')", TestName = "{m}(failed)")]
    public async Task Submit_WithWait_AnswersExactlyWhatALaterReadReturns(string script)
    {
        // A waiting request answers from the completion message; a later read comes from Redis.
        var circle = TestRedis.NewCircle();
        var waited = await Client.SubmitAsync(circle, new { script, args = new { a = 2, b = 3 } }, wait: 5);
        Assert.That(waited.Status, Is.EqualTo(HttpStatusCode.OK), waited.ToString());

        var read = await Client.GetTaskAsync(circle, waited.Id);
        Assert.That(waited.Body!.ToJsonString(), Is.EqualTo(read.Body!.ToJsonString()));
    }

    [Test]
    public async Task Submit_WithWait_ALargeResultIsReadBackWhole()
    {
        // Past the size a completion message carries, the waiting request reads the task from Redis.
        var circle = TestRedis.NewCircle();
        var waited = await Client.SubmitAsync(circle, new { script = "'x'.repeat(100000)" }, wait: 5);

        Assert.That(waited.TaskStatus, Is.EqualTo("completed"), waited.ToString());
        Assert.That(waited.Result!.GetValue<string>(), Has.Length.EqualTo(100_000));
    }

    [Test]
    public async Task Submit_WithoutWait_Returns202WithLocation_ThenGetReachesCompleted()
    {
        var circle = TestRedis.NewCircle();
        var submitted = await Client.SubmitAsync(circle, new { script = "args.a * args.b", args = new { a = 6, b = 7 } });

        Assert.That(submitted.Status, Is.EqualTo(HttpStatusCode.Accepted), submitted.ToString());
        Assert.That(submitted.TaskStatus, Is.EqualTo("pending"));
        var location = submitted.Message.Headers.Location;
        Assert.That(location?.ToString(), Is.EqualTo($"/api/circles/{circle}/tasks/{submitted.Id}"));
        Assert.That(submitted.Id, Does.Match("^[0-9a-f]{32}$"));

        var done = await GatewayClient.ReadAsync(await Client.GetAsync(location + "?wait=10"));
        Assert.That(done.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(done.TaskStatus, Is.EqualTo("completed"));
        Assert.That(done.Result!.GetValue<double>(), Is.EqualTo(42));

        var again = await Client.GetTaskAsync(circle, submitted.Id);
        Assert.That(again.Result!.GetValue<double>(), Is.EqualTo(42), "a plain GET reads the same result");
    }

    [Test]
    public async Task GetWithWait_ReturnsWhenTheTaskEnds_NotAtTheEndOfTheWait()
    {
        var circle = TestRedis.NewCircle();
        var submitted = await Client.SubmitAsync(circle, new { script = Scripts.BusyFor(300) + "; 'done'" });

        var clock = Stopwatch.StartNew();
        var done = await Client.GetTaskAsync(circle, submitted.Id, wait: 20);
        clock.Stop();

        Assert.That(done.TaskStatus, Is.EqualTo("completed"), done.ToString());
        Assert.That(done.Result!.GetValue<string>(), Is.EqualTo("done"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the long poll must end with the task, not with the 20 s wait");
    }

    [Test]
    public async Task GetWithWait_OnAStillRunningTask_ReturnsItsCurrentStateWhenTheWaitRunsOut()
    {
        var circle = TestRedis.NewCircle();
        var submitted = await Client.SubmitAsync(circle, new { script = "while (true) {}", timeoutMs = 3000 });

        var response = await Client.GetTaskAsync(circle, submitted.Id, wait: 0.5);

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.TaskStatus, Is.AnyOf("pending", "processing"));
    }

    [Test]
    public async Task ConsoleOutput_IsCapturedLineByLine()
    {
        var task = await Client.RunAsync(TestRedis.NewCircle(), "console.log('hi', {x:1}); print('second', 2, true, null); 42");

        Assert.That(task.TaskStatus, Is.EqualTo("completed"));
        Assert.That(task.Result!.GetValue<double>(), Is.EqualTo(42));
        Assert.That(task.Body!["output"]!.GetValue<string>(), Is.EqualTo("hi {\"x\":1}\nsecond 2 true null"));
    }

    [Test]
    public async Task TaskGlobal_TellsTheScriptWhoItIs()
    {
        var circle = TestRedis.NewCircle();
        var task = await Client.RunAsync(circle, "[task.id, task.circle, task.attempt, task.caller]");

        var result = task.Result!.AsArray();
        Assert.That(result[0]!.GetValue<string>(), Is.EqualTo(task.Id));
        Assert.That(result[1]!.GetValue<string>(), Is.EqualTo(circle));
        Assert.That(result[2]!.GetValue<double>(), Is.EqualTo(1));
        Assert.That(result[3], Is.Null);
    }

    [TestCase("42", "42")]
    [TestCase("'text'", "\"text\"")]
    [TestCase("({ a: 1, b: [true, null] })", "{\"a\":1,\"b\":[true,null]}")]
    [TestCase("[1, 'two', { three: 3 }]", "[1,\"two\",{\"three\":3}]")]
    [TestCase("null", "null")]
    [TestCase("undefined", "null")]
    [TestCase("Promise.resolve({ ok: true })", "{\"ok\":true}")]
    [TestCase("(async () => { await null; return 'later'; })()", "\"later\"")]
    [TestCase("let x = 5; if (x > 1) { 'big' }", "\"big\"")]
    public async Task Result_IsTheCompletionValueAsJson(string script, string expected)
    {
        var task = await Client.RunAsync(TestRedis.NewCircle(), script);

        Assert.That(task.TaskStatus, Is.EqualTo("completed"), task.ToString());
        Assert.That(task.Result?.ToJsonString() ?? "null", Is.EqualTo(expected));
    }

    [Test]
    public async Task List_ShowsRecentTasksNewestFirst_AndFiltersByStatus()
    {
        var circle = TestRedis.NewCircle();
        var first = await Client.RunAsync(circle, "1");
        var second = await Client.RunAsync(circle, "throw new Error('x')");
        var third = await Client.RunAsync(circle, "3");

        var all = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/tasks"));
        var ids = all.Body!["tasks"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()).ToArray();
        Assert.That(ids, Is.EqualTo(new[] { third.Id, second.Id, first.Id }));

        var failed = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/tasks?status=failed&limit=10"));
        Assert.That(failed.Body!["tasks"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()), Is.EqualTo(new[] { second.Id }));

        var limited = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/tasks?limit=1"));
        Assert.That(limited.Body!["tasks"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Circle_ShowsItsFigures_AndAnUnusedCircleIsZero()
    {
        var circle = TestRedis.NewCircle();
        await Client.RunAsync(circle, "1");

        var used = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}"));
        Assert.That(used.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(used.Body!["name"]!.GetValue<string>(), Is.EqualTo(circle));
        Assert.That(used.Body!["pending"]!.GetValue<long>(), Is.Zero);
        Assert.That(used.Body!["recent"]!.GetValue<long>(), Is.EqualTo(1));

        var unused = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{TestRedis.NewCircle()}"));
        Assert.That(unused.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(unused.Body!["recent"]!.GetValue<long>(), Is.Zero);

        var list = await GatewayClient.ReadAsync(await Client.GetAsync("/api/circles"));
        Assert.That(list.Body!["circles"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()), Does.Contain(circle));
    }

    [Test]
    public async Task TwoCircles_NeverSeeEachOthersTasks()
    {
        var a = TestRedis.NewCircle("a");
        var b = TestRedis.NewCircle("b");
        var task = await Client.RunAsync(a, "'secret of a'");

        var underB = await Client.GetTaskAsync(b, task.Id);
        Assert.That(underB.Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(underB.Body!.ToJsonString(), Does.Not.Contain("secret of a"));

        var listB = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{b}/tasks"));
        Assert.That(listB.Body!["tasks"]!.AsArray(), Is.Empty);

        var underA = await Client.GetTaskAsync(a, task.Id);
        Assert.That(underA.Result!.GetValue<string>(), Is.EqualTo("secret of a"));
    }

    [Test]
    public async Task Health_IsLiveAndReady()
    {
        Assert.That((await Client.GetAsync("/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await ReadyStatusAsync(), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task ApiHealth_ListsEveryReadinessCheck_WithItsStatusAndFinding()
    {
        // Ready a moment after start, once the process hears task events; the report agrees with the probe.
        Assert.That(await ReadyStatusAsync(), Is.EqualTo(HttpStatusCode.OK));
        var response = await GatewayClient.ReadAsync(await Client.GetAsync("/api/health"));
        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK), response.ToString());
        var body = response.Body!;
        Assert.That(body["status"]!.GetValue<string>(), Is.EqualTo("healthy"), response.ToString());
        var checkedAt = DateTimeOffset.Parse(body["checkedAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(checkedAt, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));

        var checks = body["checks"]!.AsArray().ToDictionary(c => c!["name"]!.GetValue<string>(), c => c!);
        Assert.That(checks.Keys, Is.EquivalentTo(new[] { "redis", "workers", "embedded-data" }), response.ToString());
        Assert.That(checks.Values.Select(c => c["status"]!.GetValue<string>()), Is.All.EqualTo("healthy"));
        Assert.That(checks["redis"]["description"]!.GetValue<string>(), Does.Match(@"^Redis answered in \d+\.\d ms\.$"));
        Assert.That(checks["embedded-data"]["description"]!.GetValue<string>(), Does.Contain("Redis is configured"));
        Assert.That(checks.Values.Select(c => c["durationMs"]!.GetValue<double>()), Is.All.GreaterThanOrEqualTo(0));
    }

    [Test]
    public async Task Swagger_DescribesTheTaskEndpoints()
    {
        var document = await Client.GetStringAsync("/swagger/v1/swagger.json");

        Assert.That(document, Does.Contain("/api/circles/{circle}/tasks"));
        Assert.That(document, Does.Contain("/api/circles/{circle}/tasks/{id}"));
        Assert.That(document, Does.Contain("SubmitRequest"));
    }
}
