using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gateway.Core.Redis;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Time;

/// <summary>Delayed tasks, retries, re-running a task and waiting for a batch, through the REST API (workers in process).</summary>
[TestFixture]
public sealed class TimeApiTests : ApiFixture
{
    private static async Task<ApiResponse> PostAsync(HttpClient client, string url, object? body = null) =>
        await GatewayClient.ReadAsync(await client.PostAsJsonAsync(url, body ?? new { }));

    private static void AssertNamesField(ApiResponse response, string field)
    {
        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest), response.ToString());
        Assert.That(response.Message.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(response.Body!["errors"]!.AsObject().Select(e => e.Key), Has.Some.EqualTo(field), response.ToString());
    }

    private async Task AssertNothingStoredAsync(string circle)
    {
        var figures = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}"));
        Assert.That(figures.Body!["recent"]!.GetValue<long>(), Is.Zero, "a rejected request leaves nothing behind");
        Assert.That(figures.Body!["scheduled"]!.GetValue<long>(), Is.Zero);
    }

    [Test]
    public async Task DelayedSubmit_IsScheduledWithItsRunAt_ThenRunsNoEarlier()
    {
        var circle = TestRedis.NewCircle("delay");
        var before = DateTimeOffset.UtcNow;
        var submitted = await Client.SubmitAsync(circle, new { script = "task.attempt", delayMs = 700, priority = 4 });

        Assert.That(submitted.Status, Is.EqualTo(HttpStatusCode.Accepted), submitted.ToString());
        Assert.That(submitted.TaskStatus, Is.EqualTo("scheduled"));
        Assert.That(submitted.Body!["priority"]!.GetValue<int>(), Is.EqualTo(4));
        Assert.That(submitted.Body!["retryOf"], Is.Null);
        var runAt = submitted.Body!["runAt"]!.GetValue<DateTimeOffset>();
        Assert.That(runAt, Is.EqualTo(before.AddMilliseconds(700)).Within(TimeSpan.FromSeconds(1)));
        var figures = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}"));
        Assert.That(figures.Body!["scheduled"]!.GetValue<long>(), Is.EqualTo(1));
        Assert.That((await Client.GetTaskAsync(circle, submitted.Id)).TaskStatus, Is.EqualTo("scheduled"));

        var done = await Client.GetTaskAsync(circle, submitted.Id, wait: 10);
        Assert.That(done.TaskStatus, Is.EqualTo("completed"), done.ToString());
        Assert.That(done.Body!["startedAt"]!.GetValue<DateTimeOffset>(), Is.GreaterThanOrEqualTo(runAt));
        Assert.That(done.Body!["runAt"], Is.Null, "runAt is shown only while scheduled");
        Assert.That(done.Body!["priority"]!.GetValue<int>(), Is.EqualTo(4));
        Assert.That(done.Result!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public async Task RunAtWithinTheLastMinute_RunsAtOnce()
    {
        var circle = TestRedis.NewCircle("delay");
        var response = await Client.SubmitAsync(circle, new { script = "2", runAt = DateTimeOffset.UtcNow.AddSeconds(-30) }, wait: 10);

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK), response.ToString());
        Assert.That(response.Result!.GetValue<int>(), Is.EqualTo(2));
    }

    [Test]
    public async Task CancelledScheduledTask_NeverRuns()
    {
        var circle = TestRedis.NewCircle("delay");
        await using var events = await CircleEventLog.StartAsync(circle);
        var submitted = await Client.SubmitAsync(circle, new { script = "1", delayMs = 400 });

        var cancelled = await GatewayClient.ReadAsync(await Client.DeleteAsync($"/api/circles/{circle}/tasks/{submitted.Id}"));
        Assert.That(cancelled.Status, Is.EqualTo(HttpStatusCode.OK), cancelled.ToString());
        Assert.That(cancelled.TaskStatus, Is.EqualTo("cancelled"));
        Assert.That(await TestRedis.Connection.GetDatabase().SortedSetLengthAsync(RedisKeys.Scheduled(circle)), Is.Zero);

        await Task.Delay(1200); // well past its due time
        var task = await Client.GetTaskAsync(circle, submitted.Id);
        Assert.That(task.TaskStatus, Is.EqualTo("cancelled"));
        Assert.That(task.Body!["attempts"]!.GetValue<int>(), Is.Zero);
        Assert.That(task.Body!["startedAt"], Is.Null);
        Assert.That(events.Of(submitted.Id).Select(e => e.Word), Is.EqualTo(new[] { "scheduled", "cancelled" }), "never pending, never processing");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task TaskWaitingForItsRetry_ShowsTheLastError_AndOnceCancelled_NoError(bool byDrain)
    {
        var circle = TestRedis.NewCircle("retry");
        var submitted = await Client.SubmitAsync(circle,
            new { script = "throw new Error('first run')", retry = new { attempts = 1, backoffMs = 600_000 } });
        var waiting = await Client.WaitForStatusAsync(circle, submitted.Id, "scheduled");
        Assert.That(waiting.ErrorCode, Is.EqualTo("script_error"), "while it waits, the error of the run before is shown");

        var answer = byDrain
            ? await PostAsync(Client, $"/api/circles/{circle}/drain?scheduled=true")
            : await GatewayClient.ReadAsync(await Client.DeleteAsync($"/api/circles/{circle}/tasks/{submitted.Id}"));
        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.OK), answer.ToString());

        var task = await Client.GetTaskAsync(circle, submitted.Id);
        Assert.That(task.TaskStatus, Is.EqualTo("cancelled"), task.ToString());
        Assert.That(task.Body!["error"], Is.Null, "error is given only when failed");
        Assert.That(task.Body!["attempts"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public async Task ABackoffLongerThan30Days_IsAccepted_AndTheRetryWaits30Days()
    {
        var circle = TestRedis.NewCircle("retry");
        var before = DateTimeOffset.UtcNow;
        var submitted = await Client.SubmitAsync(circle,
            new { script = "throw new Error('first run')", retry = new { attempts = 1, backoffMs = (long)TimeSpan.FromDays(400).TotalMilliseconds } });
        var waiting = await Client.WaitForStatusAsync(circle, submitted.Id, "scheduled");

        var runAt = waiting.Body!["runAt"]!.GetValue<DateTimeOffset>();
        Assert.That(runAt, Is.InRange(before.AddDays(30), DateTimeOffset.UtcNow.AddDays(30)), waiting.ToString());
        Assert.That((await Client.DeleteAsync($"/api/circles/{circle}/tasks/{submitted.Id}")).IsSuccessStatusCode, Is.True);
    }

    [TestCase("{\"script\":\"1\",\"delayMs\":-1}", "delayMs")]
    [TestCase("{\"script\":\"1\",\"delayMs\":2592000001}", "delayMs")]
    [TestCase("{\"script\":\"1\",\"delayMs\":\"soon\"}", "delayMs")]
    [TestCase("{\"script\":\"1\",\"runAt\":\"tomorrow\"}", "runAt")]
    [TestCase("{\"script\":\"1\",\"runAt\":\"2020-01-01T00:00:00Z\"}", "runAt")]
    [TestCase("{\"script\":\"1\",\"runAt\":\"2999-01-01T00:00:00Z\"}", "runAt")]
    [TestCase("{\"script\":\"1\",\"runAt\":\"2999-01-01T00:00:00Z\",\"delayMs\":5}", "delayMs")]
    [TestCase("{\"script\":\"1\",\"priority\":10}", "priority")]
    [TestCase("{\"script\":\"1\",\"priority\":-1}", "priority")]
    [TestCase("{\"script\":\"1\",\"retry\":{}}", "retry.attempts")]
    [TestCase("{\"script\":\"1\",\"retry\":{\"attempts\":0}}", "retry.attempts")]
    [TestCase("{\"script\":\"1\",\"retry\":{\"attempts\":11}}", "retry.attempts")]
    [TestCase("{\"script\":\"1\",\"retry\":{\"attempts\":2,\"backoffMs\":-5}}", "retry.backoffMs")]
    [TestCase("{\"script\":\"1\",\"retry\":{\"attempts\":2,\"factor\":0.5}}", "retry.factor")]
    [TestCase("{\"script\":\"1\",\"retry\":{\"attempts\":2,\"factor\":11}}", "retry.factor")]
    public async Task InvalidTimingPriorityOrRetry_Is400NamingTheField_NothingStored(string body, string field)
    {
        var circle = TestRedis.NewCircle("bad");
        var response = await Client.SendRawAsync(HttpMethod.Post, $"/api/circles/{circle}/tasks", body);

        AssertNamesField(response, field);
        await AssertNothingStoredAsync(circle);
    }

    [Test]
    public async Task RunAtBeyond30Days_Is400NamingRunAt()
    {
        var circle = TestRedis.NewCircle("bad");
        var response = await Client.SubmitAsync(circle, new { script = "1", runAt = DateTimeOffset.UtcNow.AddDays(30).AddMinutes(5) });

        AssertNamesField(response, "runAt");
        await AssertNothingStoredAsync(circle);
    }

    [Test]
    public async Task BatchWithOneBadPriority_Is400NamingItsIndex_NothingStored()
    {
        var circle = TestRedis.NewCircle("bad");
        var response = await PostAsync(Client, $"/api/circles/{circle}/tasks/batch",
            new { tasks = new object[] { new { script = "1", delayMs = 100 }, new { script = "1", priority = 12 } } });

        AssertNamesField(response, "tasks[1].priority");
        await AssertNothingStoredAsync(circle);
    }

    [Test]
    public async Task ScriptErrorEveryRun_WithRetry2_Fails_After3Runs_KeepingTheLastError()
    {
        var circle = TestRedis.NewCircle("retry");
        var response = await Client.SubmitAsync(circle,
            new { script = "throw new Error('attempt ' + task.attempt)", retry = new { attempts = 2, backoffMs = 50 } }, wait: 20);

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK), response.ToString());
        Assert.That(response.TaskStatus, Is.EqualTo("failed"));
        Assert.That(response.Body!["attempts"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(response.ErrorCode, Is.EqualTo("script_error"));
        Assert.That(response.Body!["error"]!["message"]!.GetValue<string>(), Does.Contain("attempt 3"));
    }

    [Test]
    public async Task Timeout_IsRetried()
    {
        var circle = TestRedis.NewCircle("retry");
        var response = await Client.SubmitAsync(circle,
            new { script = "while (true) {}", timeoutMs = 100, retry = new { attempts = 1, backoffMs = 0 } }, wait: 20);

        Assert.That(response.TaskStatus, Is.EqualTo("failed"), response.ToString());
        Assert.That(response.ErrorCode, Is.EqualTo("timeout"));
        Assert.That(response.Body!["attempts"]!.GetValue<int>(), Is.EqualTo(2));
    }

    [TestCase("let = ;", "syntax_error")]
    [TestCase("function f() { f() } f()", "recursion_limit")]
    public async Task OtherErrorCodes_AreNeverRetried(string script, string code)
    {
        var circle = TestRedis.NewCircle("retry");
        await using var events = await CircleEventLog.StartAsync(circle);
        var response = await Client.SubmitAsync(circle, new { script, retry = new { attempts = 3, backoffMs = 0 } }, wait: 20);

        Assert.That(response.TaskStatus, Is.EqualTo("failed"), response.ToString());
        Assert.That(response.ErrorCode, Is.EqualTo(code));
        Assert.That(response.Body!["attempts"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(events.Of(response.Id).Select(e => e.Word), Has.None.EqualTo("scheduled"));
    }

    [Test]
    public async Task PostRetry_OfAFailedTask_Is202_ANewTaskWithTheSameScriptArgsAndOptions()
    {
        var circle = TestRedis.NewCircle("rerun");
        var failed = await Client.SubmitAsync(circle,
            new { script = "throw new Error('n=' + args.n + ' attempt ' + task.attempt)", args = new { n = 7 }, priority = 3, timeoutMs = 1234 }, wait: 20);
        Assert.That(failed.TaskStatus, Is.EqualTo("failed"), failed.ToString());

        var retried = await PostAsync(Client, $"/api/circles/{circle}/tasks/{failed.Id}/retry");
        Assert.That(retried.Status, Is.EqualTo(HttpStatusCode.Accepted), retried.ToString());
        Assert.That(retried.Id, Is.Not.EqualTo(failed.Id));
        Assert.That(retried.Body!["retryOf"]!.GetValue<string>(), Is.EqualTo(failed.Id));
        Assert.That(retried.Body!["priority"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(retried.Message.Headers.Location?.ToString(), Is.EqualTo($"/api/circles/{circle}/tasks/{retried.Id}"));

        var done = await Client.GetTaskAsync(circle, retried.Id, wait: 20);
        Assert.That(done.TaskStatus, Is.EqualTo("failed"));
        Assert.That(done.Body!["error"]!["message"]!.GetValue<string>(), Does.Contain("n=7 attempt 1"), "same script and args, a fresh attempt count");
        Assert.That(done.Body!["retryOf"]!.GetValue<string>(), Is.EqualTo(failed.Id));
        var old = await Client.GetTaskAsync(circle, failed.Id);
        Assert.That(old.TaskStatus, Is.EqualTo("failed"), "the old task is left as it was");
        Assert.That(old.Body!["retriedBy"]!.GetValue<string>(), Is.EqualTo(retried.Id), "but names the task that re-runs it");
        Assert.That(failed.Body!["retriedBy"], Is.Null, "until then it named none");

        var again = await PostAsync(Client, $"/api/circles/{circle}/tasks/{failed.Id}/retry");
        Assert.That((await Client.GetTaskAsync(circle, failed.Id)).Body!["retriedBy"]!.GetValue<string>(), Is.EqualTo(again.Id), "the latest re-run");
    }

    [Test]
    public async Task PostRetry_OfATaskSubmittedByName_RunsTheSameVersion_AndSaysWhichItIs()
    {
        var circle = TestRedis.NewCircle("rerun");
        await Client.PutAsJsonAsync($"/api/circles/{circle}/scripts/strict", new { script = "if args.n < 10 { throw \"too small: \" + args.n } args.n", language = "rhai" });
        var failed = await Client.SubmitAsync(circle, new { scriptName = "strict", args = new { n = 7 } }, wait: 20);
        Assert.That(failed.TaskStatus, Is.EqualTo("failed"), failed.ToString());
        await Client.PutAsJsonAsync($"/api/circles/{circle}/scripts/strict", new { script = "args.n", language = "rhai" });

        var retried = await PostAsync(Client, $"/api/circles/{circle}/tasks/{failed.Id}/retry");
        Assert.That(retried.Status, Is.EqualTo(HttpStatusCode.Accepted), retried.ToString());
        Assert.That(retried.Body!["scriptName"]?.GetValue<string>(), Is.EqualTo("strict"), retried.ToString());
        Assert.That(retried.Body!["scriptVersion"]?.GetValue<int>(), Is.EqualTo(1), "the re-run runs the failed task's text, not a newer version's");
        Assert.That(retried.Body!["language"]!.GetValue<string>(), Is.EqualTo("rhai"));
        var done = await Client.GetTaskAsync(circle, retried.Id, wait: 20);
        Assert.That(done.TaskStatus, Is.EqualTo("failed"), done.ToString());
        Assert.That(done.Body!["error"]!["message"]!.GetValue<string>(), Does.Contain("too small: 7"));
    }

    [Test]
    public async Task PostRetry_OfACancelledTask_Is202_AndRuns()
    {
        var circle = TestRedis.NewCircle("rerun");
        var submitted = await Client.SubmitAsync(circle, new { script = "args.x * 2", args = new { x = 21 }, delayMs = 60_000 });
        await Client.DeleteAsync($"/api/circles/{circle}/tasks/{submitted.Id}");

        var retried = await PostAsync(Client, $"/api/circles/{circle}/tasks/{submitted.Id}/retry");
        Assert.That(retried.Status, Is.EqualTo(HttpStatusCode.Accepted), retried.ToString());
        Assert.That(retried.Body!["runAt"], Is.Null, "a re-run runs now, not at the old delay");
        var done = await Client.GetTaskAsync(circle, retried.Id, wait: 20);
        Assert.That(done.Result!.GetValue<int>(), Is.EqualTo(42), done.ToString());
    }

    [Test]
    public async Task PostRetry_OfACompletedTask_Is409_OfAnUnknownOne404()
    {
        var circle = TestRedis.NewCircle("rerun");
        var completed = await Client.RunAsync(circle, "1");

        var conflict = await PostAsync(Client, $"/api/circles/{circle}/tasks/{completed.Id}/retry");
        Assert.That(conflict.Status, Is.EqualTo(HttpStatusCode.Conflict), conflict.ToString());
        Assert.That(conflict.Body!["detail"]!.GetValue<string>(), Does.Contain("completed"));

        var unknown = await PostAsync(Client, $"/api/circles/{circle}/tasks/{new string('a', 32)}/retry");
        Assert.That(unknown.Status, Is.EqualTo(HttpStatusCode.NotFound), unknown.ToString());
        var malformed = await PostAsync(Client, $"/api/circles/{circle}/tasks/nope/retry");
        Assert.That(malformed.Status, Is.EqualTo(HttpStatusCode.NotFound), malformed.ToString());
    }

    [Test]
    public async Task BatchWait_EveryTaskFinishes_Is200WithEachFinished_InOrder()
    {
        var circle = TestRedis.NewCircle("bwait");
        var response = await PostAsync(Client, $"/api/circles/{circle}/tasks/batch?wait=10",
            new { tasks = Enumerable.Range(1, 20).Select(i => new { script = "args.i * 10", args = new { i } }).ToArray() });

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK), response.ToString());
        var tasks = response.Body!["tasks"]!.AsArray();
        Assert.That(tasks.Select(t => t!["status"]!.GetValue<string>()), Is.All.EqualTo("completed"));
        Assert.That(tasks.Select(t => t!["result"]!.GetValue<int>()), Is.EqualTo(Enumerable.Range(1, 20).Select(i => i * 10)));
    }

    [Test]
    public async Task BatchWait_NotEveryTaskFinishes_Is202WithEachAsItStands()
    {
        var circle = TestRedis.NewCircle("bwait");
        var response = await PostAsync(Client, $"/api/circles/{circle}/tasks/batch?wait=1",
            new { tasks = new object[] { new { script = "5" }, new { script = "6", delayMs = 60_000 } } });

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Accepted), response.ToString());
        var tasks = response.Body!["tasks"]!.AsArray();
        Assert.That(tasks[0]!["status"]!.GetValue<string>(), Is.EqualTo("completed"));
        Assert.That(tasks[0]!["result"]!.GetValue<int>(), Is.EqualTo(5));
        Assert.That(tasks[1]!["status"]!.GetValue<string>(), Is.EqualTo("scheduled"));
        Assert.That(tasks[1]!["runAt"], Is.Not.Null);
        await Client.DeleteAsync($"/api/circles/{circle}/tasks/{tasks[1]!["id"]!.GetValue<string>()}");
    }

    [Test]
    public async Task BatchWait_OutOfRange_Is400NamingWait()
    {
        var response = await PostAsync(Client, $"/api/circles/{TestRedis.NewCircle("bwait")}/tasks/batch?wait=-1",
            new { tasks = new[] { new { script = "1" } } });

        AssertNamesField(response, "wait");
    }

    [Test]
    public async Task ListByStatus_AcceptsScheduled()
    {
        var circle = TestRedis.NewCircle("list");
        var submitted = await Client.SubmitAsync(circle, new { script = "1", delayMs = 60_000 });

        var list = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/tasks?status=scheduled"));
        Assert.That(list.Body!["tasks"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()), Is.EqualTo(new[] { submitted.Id }));
        await Client.DeleteAsync($"/api/circles/{circle}/tasks/{submitted.Id}");
    }

    [Test]
    public async Task Metrics_CountScheduledTasksAndRetries()
    {
        var circle = TestRedis.NewCircle("metric");
        await Client.SubmitAsync(circle, new { script = "throw new Error('x')", retry = new { attempts = 1 } }, wait: 20);
        await Client.SubmitAsync(circle, new { script = "1", delayMs = 50 }, wait: 20);

        var text = await Client.GetStringAsync("/metrics");
        Assert.That(text, Does.Match($"gateway_tasks_retried_total\\{{[^}}]*circle=\"{circle}\"[^}}]*\\}} 1"));
        Assert.That(text, Does.Match($"gateway_tasks_scheduled_total\\{{[^}}]*circle=\"{circle}\"[^}}]*\\}} 1"));
        Assert.That(text, Does.Contain("gateway_scheduled_depth"));
    }
}
