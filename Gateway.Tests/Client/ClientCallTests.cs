using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Scripts = Gateway.Tests.Infrastructure.Scripts;

namespace Gateway.Tests.Client;

/// <summary>Every call of <see cref="GatewayClient"/>, against a real Gateway.Api process.</summary>
[TestFixture]
public sealed class ClientCallTests
{
    private GatewayClient _client = null!;

    [OneTimeSetUp]
    public void CreateClient() => _client = ClientApi.CreateClient();

    [OneTimeTearDown]
    public void DisposeClient() => _client.Dispose();

    [Test]
    public async Task RunAsync_ScriptCompletes_ReturnsTheTaskWithItsTypedResult()
    {
        var circle = TestRedis.NewCircle("run");

        var task = await _client.RunAsync(circle, "console.log('adding'); ({ total: args.a + args.b, label: 'sum' })", new { a = 2, b = 40 });

        Assert.That(task.Status, Is.EqualTo(GatewayTaskStatus.Completed));
        Assert.That(task.Circle, Is.EqualTo(circle));
        Assert.That(task.Output, Is.EqualTo("adding"));
        Assert.That(task.Attempts, Is.EqualTo(1));
        Assert.That(task.GetResult(ResultJson.Default.Sum), Is.EqualTo(new Sum(42, "sum")));
        Assert.That(task.GetResult<JsonObject>()!["total"]!.GetValue<int>(), Is.EqualTo(42));
    }

    [Test]
    public async Task RunAsync_ArgsAsJsonNodeAndScalarResult_ReadsTheScalar()
    {
        var task = await _client.RunAsync(TestRedis.NewCircle("run"), "args.words.join(' ')", JsonNode.Parse("""{ "words": ["a", "b"] }"""));

        Assert.That(task.GetResult<string>(), Is.EqualTo("a b"));
        var pending = task with { Status = GatewayTaskStatus.Pending };
        Assert.That(() => pending.GetResult<string>(), Throws.InvalidOperationException, "only a completed task has a result");
    }

    [Test]
    public async Task RunAsync_ScriptThrows_ThrowsScriptFailedWithCodeLineColumnOutputAndId()
    {
        var circle = TestRedis.NewCircle("run");

        var failure = (await Assert.ThrowsAsync<ScriptFailedException>(() =>
            _client.RunAsync(circle, "console.log('before');\nconst x = 1;\nthrow new Error('boom ' + x);")))!;

        Assert.That(failure.Code, Is.EqualTo("script_error"));
        Assert.That(failure.ErrorMessage, Does.Contain("boom 1"));
        Assert.That(failure.Line, Is.EqualTo(3));
        Assert.That(failure.Column, Is.GreaterThan(0));
        Assert.That(failure.Output, Is.EqualTo("before"));
        Assert.That(failure.TaskId, Has.Length.EqualTo(32));
        Assert.That(failure.Task.Status, Is.EqualTo(GatewayTaskStatus.Failed));
        Assert.That(failure.Message, Does.Contain("line 3"));
    }

    [Test]
    public async Task RunAsync_CallerTimeoutShorterThanTheScript_ThrowsWithTheTaskId_AndWaitAsyncGetsTheResult()
    {
        var circle = TestRedis.NewCircle("run");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var timeout = (await Assert.ThrowsAsync<TaskWaitTimeoutException>(() =>
            _client.RunAsync(circle, Scripts.BusyFor(2500), timeout: TimeSpan.FromSeconds(1), options: new SubmitOptions { ScriptTimeout = TimeSpan.FromSeconds(20) })))!;

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2.5)), "the caller's timeout was kept");
        Assert.That(timeout.Task.IsTerminal, Is.False);
        var finished = await _client.WaitAsync(circle, timeout.TaskId, TimeSpan.FromSeconds(30));
        Assert.That(finished.Status, Is.EqualTo(GatewayTaskStatus.Completed));
        Assert.That(finished.GetResult<int>(), Is.EqualTo(2500));
    }

    [Test]
    public async Task SubmitAsync_WithoutWait_ReturnsPending_AndGetAsyncWithWaitReturnsItCompleted()
    {
        var circle = TestRedis.NewCircle("submit");

        var submitted = await _client.SubmitAsync(circle, Scripts.BusyFor(300), options: new SubmitOptions { ScriptTimeout = TimeSpan.FromSeconds(10) });
        var read = await _client.GetAsync(circle, submitted.Id, wait: TimeSpan.FromSeconds(20));

        Assert.That(submitted.Status, Is.AnyOf(GatewayTaskStatus.Pending, GatewayTaskStatus.Processing));
        Assert.That(read.Id, Is.EqualTo(submitted.Id));
        Assert.That(read.Status, Is.EqualTo(GatewayTaskStatus.Completed));
        Assert.That(read.GetResult<int>(), Is.EqualTo(300));
        Assert.That(read.FinishedAt, Is.GreaterThanOrEqualTo(read.CreatedAt));
    }

    [Test]
    public async Task GetAsync_AWaitLongerThanTheAttemptTimeout_IsGivenItsWholeWait()
    {
        var circle = TestRedis.NewCircle("longwait");
        // An attempt of 1 s, far shorter than the long polls (30 s); the server holds this read
        // 7 s, since a task a minute away does not finish meanwhile.
        using var client = ClientApi.CreateClient(o =>
        {
            o.AttemptTimeout = TimeSpan.FromSeconds(1);
            o.TotalRequestTimeout = TimeSpan.FromSeconds(1);
        });
        var submitted = await client.SubmitAsync(circle, "1", options: new SubmitOptions { Delay = TimeSpan.FromMinutes(1) });

        var started = DateTimeOffset.UtcNow;
        var read = await client.GetAsync(circle, submitted.Id, wait: TimeSpan.FromSeconds(7));

        Assert.That(read.Status, Is.EqualTo(GatewayTaskStatus.Scheduled));
        Assert.That(DateTimeOffset.UtcNow - started, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(6.5)), "the server held the answer for the wait");
        // A long poll within WaitAsync is given its wait the same way.
        started = DateTimeOffset.UtcNow;
        var waited = await client.WaitAsync(circle, submitted.Id, TimeSpan.FromSeconds(3));
        Assert.That(waited.Status, Is.EqualTo(GatewayTaskStatus.Scheduled));
        Assert.That(DateTimeOffset.UtcNow - started, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(2.5)), "the long poll was held for the wait");
        await client.CancelAsync(circle, submitted.Id);
    }

    [Test]
    public async Task SubmitAsync_SameIdempotencyKeyTwice_ReturnsTheSameTask_AndRunsItOnce()
    {
        var circle = TestRedis.NewCircle("idem");
        var options = new SubmitOptions { IdempotencyKey = "order-42" };

        var first = await _client.SubmitAsync(circle, "args.n * 2", new { n = 21 }, options, wait: TimeSpan.FromSeconds(10));
        var second = await _client.SubmitAsync(circle, "args.n * 2", new { n = 21 }, options, wait: TimeSpan.FromSeconds(10));
        var conflict = (await Assert.ThrowsAsync<GatewayApiException>(() => _client.SubmitAsync(circle, "args.n * 3", new { n = 21 }, options)))!;

        Assert.That(second.Id, Is.EqualTo(first.Id));
        Assert.That(second.GetResult<int>(), Is.EqualTo(42));
        Assert.That(conflict.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(conflict.Title, Does.Contain("Idempotency-Key"));
        var all = await _client.ListTasksAsync(circle).ToListAsync();
        Assert.That(all.Select(t => t.Id), Is.EqualTo(new[] { first.Id }));
    }

    [Test]
    public async Task SubmitAsync_EachCall_SendsItsOwnKey_AndOnlyTheOptionsThatWereSet()
    {
        var recorder = new RecordingHandler();
        var services = new ServiceCollection();
        services.AddGatewayClient(o => o.BaseAddress = ClientApi.BaseAddress).AddHttpMessageHandler(() => recorder);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<GatewayClient>();
        var circle = TestRedis.NewCircle("wire");

        await client.SubmitAsync(circle, "1");
        await client.SubmitAsync(circle, "2", new { a = 1 }, new SubmitOptions { Priority = 3, ScriptTimeout = TimeSpan.FromMilliseconds(1500) });

        var posts = recorder.Attempts.Where(a => a.Method == HttpMethod.Post).ToArray();
        Assert.That(posts, Has.Length.EqualTo(2));
        Assert.That(posts[0].IdempotencyKey, Is.Not.Null.And.Not.EqualTo(posts[1].IdempotencyKey));
        Assert.That(JsonNode.Parse(posts[0].Body!)!.ToJsonString(), Is.EqualTo("""{"script":"1"}"""));
        Assert.That(JsonNode.Parse(posts[1].Body!)!.ToJsonString(), Is.EqualTo("""{"script":"2","args":{"a":1},"timeoutMs":1500,"priority":3}"""));
    }

    [Test]
    public async Task SubmitBatchAsync_ThreeTasks_ReturnsThemInOrder_AndEachCompletes()
    {
        var circle = TestRedis.NewCircle("batch");

        var tasks = await _client.SubmitBatchAsync(circle,
        [
            new TaskSubmission("args.x + 1", new { x = 1 }),
            new TaskSubmission("'two'"),
            new TaskSubmission("[3]", Options: new SubmitOptions { ScriptTimeout = TimeSpan.FromSeconds(2) }),
        ]);
        var done = await Task.WhenAll(tasks.Select(t => _client.WaitAsync(circle, t.Id, TimeSpan.FromSeconds(20))));

        Assert.That(tasks, Has.Count.EqualTo(3));
        Assert.That(tasks.Select(t => t.Id).Distinct().Count(), Is.EqualTo(3));
        Assert.That(done.Select(t => t.Result!.Value.GetRawText()), Is.EqualTo(new[] { "2", "\"two\"", "[3]" }));
    }

    [Test]
    public async Task SubmitBatchAsync_OneInvalidEntry_ThrowsBadRequestNamingIt()
    {
        var invalid = (await Assert.ThrowsAsync<GatewayApiException>(() => _client.SubmitBatchAsync(TestRedis.NewCircle("batch"),
            [new TaskSubmission("1"), new TaskSubmission(" ")])))!;

        Assert.That(invalid.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(invalid.Errors.Keys, Does.Contain("tasks[1].script"));
    }

    [Test]
    public async Task CancelAsync_RunningTask_ReturnsItCancelled_AndCancellingAgainIsAConflict()
    {
        var circle = TestRedis.NewCircle("cancel");
        var submitted = await _client.SubmitAsync(circle, Scripts.BusyFor(10_000), options: new SubmitOptions { ScriptTimeout = TimeSpan.FromSeconds(20) });
        await WaitForStatusAsync(circle, submitted.Id, GatewayTaskStatus.Processing);

        var cancelled = await _client.CancelAsync(circle, submitted.Id);
        var settled = await _client.WaitAsync(circle, submitted.Id, TimeSpan.FromSeconds(10));
        // A cancelled task has finished: cancelling it again is a conflict, as for any finished task.
        var again = (await Assert.ThrowsAsync<GatewayApiException>(() => _client.CancelAsync(circle, submitted.Id)))!;

        Assert.That(cancelled.Id, Is.EqualTo(submitted.Id));
        Assert.That(settled.Status, Is.EqualTo(GatewayTaskStatus.Cancelled));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task CancelAsync_CompletedTask_ThrowsConflict()
    {
        var circle = TestRedis.NewCircle("cancel");
        var done = await _client.RunAsync(circle, "1");

        var conflict = (await Assert.ThrowsAsync<GatewayApiException>(() => _client.CancelAsync(circle, done.Id)))!;

        Assert.That(conflict.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(conflict.Title, Is.EqualTo("The task has already finished."));
        Assert.That(conflict.Detail, Does.Contain("completed"));
    }

    [Test]
    public async Task GetAsync_UnknownTask_ThrowsNotFoundWithTheProblemDetails()
    {
        var missing = (await Assert.ThrowsAsync<GatewayApiException>(() => _client.GetAsync("demo", "0123456789abcdef0123456789abcdef")))!;

        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(missing.Title, Is.EqualTo("Not found."));
        Assert.That(missing.Detail, Does.Contain("0123456789abcdef0123456789abcdef"));
    }

    [Test]
    public async Task GetSourceAsync_GivesTheScriptArgsAndTraceId_ByNameTheTextItResolvedTo_AndAnUnknownTaskIs404()
    {
        var circle = TestRedis.NewCircle("source");
        const string script = "// adds\nargs.a + args.b";
        var task = await _client.RunAsync(circle, script, new { a = 2, b = 3 });
        await _client.PutScriptAsync(circle, "twice", "args.n * 2");
        var byName = await _client.RunAsync(circle, null, new { n = 4 }, options: new SubmitOptions { ScriptName = "twice" });
        await _client.PutScriptAsync(circle, "twice", "args.n + args.n");
        var noArgs = await _client.SubmitAsync(circle, "1");

        var source = await _client.GetSourceAsync(circle, task.Id);
        var byNameSource = await _client.GetSourceAsync(circle, byName.Id);
        var noArgsSource = await _client.GetSourceAsync(circle, noArgs.Id);
        var missing = (await Assert.ThrowsAsync<GatewayApiException>(() => _client.GetSourceAsync(circle, "0123456789abcdef0123456789abcdef")))!;

        Assert.That(source.Id, Is.EqualTo(task.Id));
        Assert.That(source.Script, Is.EqualTo(script));
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(source.Args.GetRawText()), JsonNode.Parse("""{"a":2,"b":3}""")), Is.True, source.Args.GetRawText());
        Assert.That(source.TraceId, Does.Match("^[0-9a-f]{32}$"), "the submit was traced");
        Assert.That(byNameSource.Script, Is.EqualTo("args.n * 2"), "the version it ran, not the latest");
        Assert.That(noArgsSource.Args.ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(missing.Detail, Does.Contain("0123456789abcdef0123456789abcdef"));
    }

    [Test]
    public async Task WatchAsync_ATaskToItsEnd_YieldsEachStatusOnce_FirstAndLastWithTheWholeTask()
    {
        var circle = TestRedis.NewCircle("watch");
        var submitted = await _client.SubmitAsync(circle, "console.log('x'); " + Scripts.BusyFor(800), options: new SubmitOptions { ScriptTimeout = TimeSpan.FromSeconds(10) });

        var events = await _client.WatchAsync(circle, submitted.Id).ToListAsync();

        Assert.That(events, Is.Not.Empty);
        Assert.That(events.Select(e => e.Status), Is.Unique);
        Assert.That(events[0].Task, Is.Not.Null);
        Assert.That(events[^1].Status, Is.EqualTo(GatewayTaskStatus.Completed));
        Assert.That(events[^1].Task!.GetResult<int>(), Is.EqualTo(800));
        Assert.That(events[^1].Task!.Output, Is.EqualTo("x"));
        Assert.That(events.All(e => e.Id == submitted.Id && e.Circle == circle), Is.True);
    }

    [Test]
    public async Task ListTasksAsync_WithStatusFilter_YieldsOnlyThoseTasks_NewestFirst()
    {
        var circle = TestRedis.NewCircle("list");
        var ok1 = await _client.RunAsync(circle, "1");
        await Assert.ThrowsAsync<ScriptFailedException>(() => _client.RunAsync(circle, "throw 1"));
        var ok2 = await _client.RunAsync(circle, "2");

        var completed = await _client.ListTasksAsync(circle, GatewayTaskStatus.Completed).ToListAsync();
        var all = await _client.ListTasksAsync(circle, limit: 2).ToListAsync();

        Assert.That(completed.Select(t => t.Id), Is.EqualTo(new[] { ok2.Id, ok1.Id }));
        Assert.That(all, Has.Count.EqualTo(2));
        Assert.That(all[0].Id, Is.EqualTo(ok2.Id));
        Assert.That(all[1].Status, Is.EqualTo(GatewayTaskStatus.Failed));
    }

    [Test]
    public async Task ListTasksPageAsync_WalksThePages_AndListTasksAsyncFollowsThemPastWhatOneRequestReads()
    {
        // One completed task, then more failed ones than one filtered request of the API reads.
        var circle = TestRedis.NewCircle("list");
        var completed = await _client.SubmitAsync(circle, "1", wait: TimeSpan.FromSeconds(30));
        var newer = Gateway.Core.Redis.TaskReader.MaxScanned + 100;
        for (var done = 0; done < newer; done += 1000)
        {
            var batch = await _client.SubmitBatchAsync(circle, Enumerable.Repeat(new TaskSubmission("throw 1"), Math.Min(1000, newer - done)).ToList(), TimeSpan.FromSeconds(60));
            Assert.That(batch.AllFinished, Is.True);
        }

        var first = await _client.ListTasksPageAsync(circle, limit: 3);
        var second = await _client.ListTasksPageAsync(circle, limit: 3, before: first.NextBefore);
        var firstFiltered = await _client.ListTasksPageAsync(circle, GatewayTaskStatus.Completed, limit: 5);
        var found = await _client.ListTasksAsync(circle, GatewayTaskStatus.Completed, limit: 5).ToListAsync();

        Assert.That(first.Tasks, Has.Count.EqualTo(3));
        Assert.That(first.NextBefore, Is.EqualTo(first.Tasks[^1].Id));
        Assert.That(second.Tasks.Select(t => t.Id), Has.None.AnyOf(first.Tasks.Select(t => t.Id).ToArray()));
        Assert.That(string.CompareOrdinal(second.Tasks[0].Id, first.Tasks[^1].Id), Is.LessThan(0), "older than the first page");
        Assert.That(firstFiltered.Tasks, Is.Empty, "the newest tasks the request read all failed");
        Assert.That(firstFiltered.NextBefore, Is.Not.Null);
        Assert.That(found.Select(t => t.Id), Is.EqualTo(new[] { completed.Id }), "the enumeration reads on to the end of the list");
    }

    [Test]
    public async Task PauseCircleAsync_KeepsTasksWaiting_UntilResumeCircleAsync()
    {
        var circle = TestRedis.NewCircle("pause");

        var paused = await _client.PauseCircleAsync(circle);
        var task = await _client.SubmitAsync(circle, "'later'");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var waiting = await _client.GetAsync(circle, task.Id);
        var read = await _client.GetCircleAsync(circle);
        var resumed = await _client.ResumeCircleAsync(circle);
        var done = await _client.WaitAsync(circle, task.Id, TimeSpan.FromSeconds(30));

        Assert.That(paused.Paused, Is.True);
        Assert.That(waiting.Status, Is.EqualTo(GatewayTaskStatus.Pending));
        Assert.That((read.Paused, read.Pending), Is.EqualTo((true, 1L)));
        Assert.That(resumed.Paused, Is.False);
        Assert.That(done.GetResult<string>(), Is.EqualTo("later"));
    }

    [Test]
    public async Task Circles_AfterATask_ListAndGetShowTheCircle()
    {
        var circle = TestRedis.NewCircle("circ");
        await _client.RunAsync(circle, "1");
        await _client.SubmitAsync(circle, "throw 1", wait: TimeSpan.FromSeconds(30));

        var all = await _client.ListCirclesAsync();
        var one = await _client.GetCircleAsync(circle);
        var unused = await _client.GetCircleAsync(TestRedis.NewCircle("never"));

        Assert.That(all.Select(c => c.Name), Does.Contain(circle));
        Assert.That(one, Is.EqualTo(new CircleInfo(circle, 0, 0, 2, Scheduled: 0, EntityBytes: 0, EntityBytesLimit: 64 * 1024 * 1024, Failed: 1)));
        Assert.That(unused.Pending + unused.Processing + unused.Recent, Is.Zero);
    }

    [Test]
    public async Task Circles_ShowTheBytesTheCirclesEntitiesTake()
    {
        var circle = TestRedis.NewCircle("circ");
        await _client.RunAsync(circle, "calendar.createCalendar({ name: 'x'.repeat(1000) })");

        var one = await _client.GetCircleAsync(circle);
        var listed = (await _client.ListCirclesAsync()).Single(c => c.Name == circle);

        Assert.That(one.EntityBytes, Is.InRange(1000, 1200), "the calendar's JSON");
        Assert.That(one.EntityBytesLimit, Is.EqualTo(64 * 1024 * 1024));
        Assert.That(listed, Is.EqualTo(one));
    }

    [Test]
    public async Task ListWorkersAsync_ReportsTheApiProcessWorker()
    {
        var workers = await WaitForWorkersAsync();

        var worker = workers.Single(w => w.Id.EndsWith($"-{ClientApi.Api.Pid}", StringComparison.Ordinal));
        Assert.That(worker.Concurrency, Is.EqualTo(4));
        Assert.That(worker.Circles, Is.EqualTo(new[] { "*" }));
        Assert.That(worker.LastSeenAt, Is.GreaterThanOrEqualTo(worker.StartedAt));
    }

    [Test]
    public async Task GetHealthAsync_ReportsEachReadinessCheck()
    {
        var health = await _client.GetHealthAsync();

        Assert.That(health.Status, Is.EqualTo("healthy"), string.Join("; ", health.Checks));
        Assert.That(health.IsReady, Is.True);
        Assert.That(health.CheckedAt, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
        Assert.That(health.Checks.Select(c => c.Name), Is.EquivalentTo(new[] { "redis", "workers", "embedded-data" }));
        var redis = health.Checks.Single(c => c.Name == "redis");
        Assert.That(redis.Status, Is.EqualTo("healthy"));
        Assert.That(redis.Description, Does.StartWith("Redis answered in "));
    }

    [Test]
    public async Task DomainViews_PageByPage_EveryEntityOnce_InIdOrder()
    {
        var circle = TestRedis.NewCircle("domp");
        await _client.RunAsync(circle, "for (let i = 1; i <= 5; i++) calendar.createCalendar({ name: 'c' + i })");

        var seen = new List<string?>();
        var pages = 0;
        long? after = 0;
        while (after is { } from)
        {
            var page = await _client.ListDomainPageAsync(circle, DomainView.Calendars, from, limit: 2);
            seen.AddRange(page.Items.Select(i => i.GetProperty("name").GetString()));
            after = page.NextAfter;
            pages++;
        }
        var bad = (await Assert.ThrowsAsync<GatewayApiException>(() => _client.ListDomainPageAsync(circle, DomainView.Calendars, limit: 0)))!;

        Assert.That(seen, Is.EqualTo(new[] { "c1", "c2", "c3", "c4", "c5" }));
        Assert.That(pages, Is.EqualTo(3));
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(bad.Errors.Keys, Is.EquivalentTo(new[] { "limit" }), bad.Message);
    }

    [Test]
    public async Task DomainViews_ACalendarAScriptMade_AreListedAndReadById()
    {
        var circle = TestRedis.NewCircle("dom");
        var made = await _client.RunAsync(circle, "calendar.createCalendar({ name: 'Team' })");
        var id = made.GetResult<JsonObject>()!["id"]!.GetValue<long>();

        var calendars = await _client.ListDomainAsync(circle, DomainView.Calendars);
        var typed = await _client.ListDomainAsync(circle, DomainView.Calendars, ResultJson.Default.Calendar);
        var one = await _client.GetDomainAsync(circle, DomainView.Calendars, id, ResultJson.Default.Calendar);
        var flows = await _client.ListDomainAsync(circle, DomainView.Flows);
        var missing = (await Assert.ThrowsAsync<GatewayApiException>(() => _client.GetDomainAsync(circle, DomainView.Events, 99)))!;

        Assert.That(calendars, Has.Count.EqualTo(1));
        Assert.That(calendars[0].GetProperty("name").GetString(), Is.EqualTo("Team"));
        Assert.That(typed, Is.EqualTo(new[] { new Calendar(id, "Team") }));
        Assert.That(one, Is.EqualTo(new Calendar(id, "Team")));
        Assert.That(flows, Is.Empty);
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        await _client.DeleteDomainAsync(circle, DomainView.Calendars, id);
        var gone = (await Assert.ThrowsAsync<GatewayApiException>(() => _client.GetDomainAsync(circle, DomainView.Calendars, id)))!;
        var again = (await Assert.ThrowsAsync<GatewayApiException>(() => _client.DeleteDomainAsync(circle, DomainView.Calendars, id)))!;
        Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await _client.ListDomainAsync(circle, DomainView.Calendars), Is.Empty);
    }

    [Test]
    public async Task AddGatewayClient_ResolvesATypedClientThatRuns_AndRejectsABadAddressNamingIt()
    {
        var services = new ServiceCollection();
        var builder = services.AddGatewayClient(o => o.BaseAddress = ClientApi.BaseAddress);
        await using var provider = services.BuildServiceProvider();

        var task = await provider.GetRequiredService<GatewayClient>().RunAsync(TestRedis.NewCircle("di"), "6 * 7");

        Assert.That(builder.Name, Is.Not.Empty);
        Assert.That(task.GetResult<int>(), Is.EqualTo(42));
        var bad = new ServiceCollection();
        bad.AddGatewayClient(o => o.BaseAddress = new Uri("ftp://example"));
        await using var badProvider = bad.BuildServiceProvider();
        Assert.That(() => badProvider.GetRequiredService<IOptions<GatewayClientOptions>>().Value,
            Throws.TypeOf<OptionsValidationException>().With.Message.Contains("BaseAddress"));
        Assert.That(() => new GatewayClient(new GatewayClientOptions { BaseAddress = ClientApi.BaseAddress, AttemptTimeout = TimeSpan.FromMilliseconds(5) }),
            Throws.TypeOf<OptionsValidationException>().With.Message.Contains("AttemptTimeout must be from 10 ms to 24 hours"));
        Assert.That(() => new GatewayClient(new GatewayClientOptions { BaseAddress = ClientApi.BaseAddress, TotalRequestTimeout = TimeSpan.FromHours(25) }),
            Throws.TypeOf<OptionsValidationException>().With.Message.Contains("TotalRequestTimeout must be at least AttemptTimeout and at most 24 hours"));
        Assert.That(() => new GatewayClient(new GatewayClientOptions { BaseAddress = ClientApi.BaseAddress, LongPollWait = TimeSpan.FromMinutes(11) }),
            Throws.TypeOf<OptionsValidationException>().With.Message.Contains("LongPollWait"));
    }

    [Test]
    public void TaskJson_FromANewerServer_ReadsTheAdditionsAndMapsAnUnknownStatus()
    {
        var scheduled = JsonSerializer.Deserialize(
            """{"id":"a","circle":"c","status":"scheduled","output":"","attempts":0,"createdAt":"2026-11-28T02:00:00.000Z","language":"rhai","priority":7,"runAt":"2026-11-28T03:00:00.000Z","scriptName":"nightly","scriptVersion":2,"scheduleName":"every-hour","retryOf":"b","somethingNew":{"x":1}}""",
            Gateway.Client.Wire.ClientJson.Default.GatewayTask)!;
        var future = JsonSerializer.Deserialize("""{"id":"a","circle":"c","status":"paused"}""", Gateway.Client.Wire.ClientJson.Default.GatewayTask)!;

        Assert.That(scheduled.Status, Is.EqualTo(GatewayTaskStatus.Scheduled));
        Assert.That(scheduled.IsTerminal, Is.False);
        Assert.That((scheduled.Language, scheduled.Priority, scheduled.ScriptName, scheduled.ScriptVersion, scheduled.ScheduleName, scheduled.RetryOf),
            Is.EqualTo(("rhai", (int?)7, "nightly", (int?)2, "every-hour", "b")));
        Assert.That(scheduled.RunAt, Is.EqualTo(new DateTimeOffset(2026, 11, 28, 3, 0, 0, TimeSpan.Zero)));
        Assert.That(future.Status, Is.EqualTo(GatewayTaskStatus.Unknown));
    }

    private async Task WaitForStatusAsync(string circle, string id, GatewayTaskStatus status)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var task = await _client.GetAsync(circle, id);
            if (task.Status == status)
                return;
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), $"the task stayed {task.Status}");
            await Task.Delay(20);
        }
    }

    private async Task<IReadOnlyList<WorkerInfo>> WaitForWorkersAsync()
    {
        // The first heartbeat may follow the process's readiness by a moment.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var workers = await _client.ListWorkersAsync();
            if (workers.Any(w => w.Id.EndsWith($"-{ClientApi.Api.Pid}", StringComparison.Ordinal)) || clock.Elapsed > TimeSpan.FromSeconds(15))
                return workers;
            await Task.Delay(200);
        }
    }
}
