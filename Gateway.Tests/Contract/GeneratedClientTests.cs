using System.Collections;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Contract;

/// <summary>
/// What a service team does first: generate a client from <c>/swagger/v1/swagger.json</c> with
/// NSwag's defaults and call the API with it. Every operation a caller needs must work through it.
/// </summary>
[TestFixture]
public sealed class GeneratedClientTests : ApiFixture
{
    private readonly string _circle = TestRedis.NewCircle("nswag");
    private GeneratedClient _api = null!;

    [OneTimeSetUp]
    public async Task Generate()
    {
        var document = await ContractDocument.FetchAsync(Client);
        _api = await GeneratedClient.CreateAsync(document.Json, Client);
    }

    private object Submit(string script, object? args = null, int? timeoutMs = null) =>
        _api.New("SubmitRequest", ("Script", script), ("Args", args), ("TimeoutMs", timeoutMs));

    [Test]
    public async Task SubmitAndWait_ReturnsTheCompletedTask()
    {
        var task = await _api.CallAsync("SubmitTask", ("circle", _circle), ("wait", 10.0),
            ("body", Submit("args.a + args.b", new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 })));

        Assert.That(GeneratedClient.Wire(GeneratedClient.Get(task, "Status")), Is.EqualTo("completed"));
        Assert.That(GeneratedClient.Get(task, "Result")?.ToString(), Is.EqualTo("3"));
        Assert.That(GeneratedClient.Get(task, "Error"), Is.Null);
        Assert.That(GeneratedClient.Get(task, "FinishedAt"), Is.Not.Null);
    }

    [Test]
    public async Task SubmitThenGet_FindsTheTask_AndItFinishes()
    {
        var submitted = await _api.CallAsync("SubmitTask", ("circle", _circle), ("body", Submit("'later'")));
        var id = (string)GeneratedClient.Get(submitted, "Id")!;
        var read = await _api.CallAsync("GetTask", ("circle", _circle), ("id", id), ("wait", 10.0));

        Assert.That(GeneratedClient.Wire(GeneratedClient.Get(submitted, "Status")), Is.AnyOf("pending", "processing", "completed"));
        Assert.That(GeneratedClient.Get(read, "Id"), Is.EqualTo(id));
        Assert.That(GeneratedClient.Wire(GeneratedClient.Get(read, "Status")), Is.EqualTo("completed"));
        Assert.That(GeneratedClient.Get(read, "Result")?.ToString(), Is.EqualTo("later"));
    }

    [Test]
    public async Task List_ShowsTheCirclesTasks()
    {
        var circle = TestRedis.NewCircle("nswag-list");
        for (var i = 0; i < 3; i++)
            await _api.CallAsync("SubmitTask", ("circle", circle), ("wait", 10.0), ("body", Submit($"{i}")));

        var list = await _api.CallAsync("ListTasks", ("circle", circle), ("limit", 10));
        var tasks = ((IEnumerable)GeneratedClient.Get(list, "Tasks")!).Cast<object>().ToArray();
        var completed = await _api.CallAsync("ListTasks", ("circle", circle), ("status", _api.ArgumentFor("ListTasks", "status", "completed")));

        Assert.That(tasks, Has.Length.EqualTo(3));
        Assert.That(tasks.Select(t => GeneratedClient.Wire(GeneratedClient.Get(t, "Status"))), Is.All.EqualTo("completed"));
        Assert.That(((IEnumerable)GeneratedClient.Get(completed, "Tasks")!).Cast<object>().Count(), Is.EqualTo(3));
    }

    [Test]
    public async Task Batch_ReturnsEveryTask_InOrder()
    {
        var batch = _api.New("BatchRequest", ("Tasks", new[] { Submit("'first'"), Submit("'second'") }));
        var answer = await _api.CallAsync("SubmitTasks", ("circle", _circle), ("body", batch));
        var tasks = ((IEnumerable)GeneratedClient.Get(answer, "Tasks")!).Cast<object>().ToArray();
        var second = await _api.CallAsync("GetTask", ("circle", _circle), ("id", GeneratedClient.Get(tasks[1], "Id")), ("wait", 10.0));

        Assert.That(tasks, Has.Length.EqualTo(2));
        Assert.That(GeneratedClient.Get(second, "Result")?.ToString(), Is.EqualTo("second"));
    }

    [Test]
    public async Task Cancel_StopsARunningTask_AndASecondCancelIs409()
    {
        var submitted = await _api.CallAsync("SubmitTask", ("circle", _circle), ("body", Submit("while (true) {}", timeoutMs: 30_000)));
        var id = GeneratedClient.Get(submitted, "Id");

        var cancelled = await _api.CallAsync("CancelTask", ("circle", _circle), ("id", id));
        var settled = await _api.CallAsync("GetTask", ("circle", _circle), ("id", id), ("wait", 10.0));
        var again = await _api.StatusOfFailureAsync("CancelTask", ("circle", _circle), ("id", id));

        Assert.That(GeneratedClient.Wire(GeneratedClient.Get(cancelled, "Status")), Is.AnyOf("cancelled", "pending", "processing"));
        Assert.That(GeneratedClient.Wire(GeneratedClient.Get(settled, "Status")), Is.EqualTo("cancelled"));
        Assert.That(again, Is.EqualTo(409));
    }

    [Test]
    public async Task UnknownTask_Is404_AsTheClientsException()
    {
        var status = await _api.StatusOfFailureAsync("GetTask", ("circle", _circle), ("id", "0123456789abcdef0123456789abcdef"));

        Assert.That(status, Is.EqualTo(404));
    }

    [Test]
    public async Task ScriptError_ComesBackAsAFailedTask_WithItsCodeAndLine()
    {
        var task = await _api.CallAsync("SubmitTask", ("circle", _circle), ("wait", 10.0), ("body", Submit("const x = 1;\nthrow new Error('boom');")));
        var error = GeneratedClient.Get(task, "Error");

        Assert.That(GeneratedClient.Wire(GeneratedClient.Get(task, "Status")), Is.EqualTo("failed"));
        Assert.That(GeneratedClient.Get(task, "Result"), Is.Null);
        Assert.That(GeneratedClient.Wire(GeneratedClient.Get(error, "Code")), Is.EqualTo("script_error"));
        Assert.That((string)GeneratedClient.Get(error, "Message")!, Does.Contain("boom"));
        Assert.That(GeneratedClient.Get(error, "Line"), Is.EqualTo(2));
    }

    [Test]
    public async Task CirclesAndWorkers_AreReadable()
    {
        await _api.CallAsync("SubmitTask", ("circle", _circle), ("wait", 10.0), ("body", Submit("1")));

        var circle = await _api.CallAsync("GetCircle", ("circle", _circle));
        var circles = await _api.CallAsync("ListCircles");
        var workers = await _api.CallAsync("ListWorkers");

        Assert.That(GeneratedClient.Get(circle, "Name"), Is.EqualTo(_circle));
        Assert.That(((IEnumerable)GeneratedClient.Get(circles, "Circles")!).Cast<object>().Select(c => GeneratedClient.Get(c, "Name")), Does.Contain(_circle));
        Assert.That(((IEnumerable)GeneratedClient.Get(workers, "Workers")!).Cast<object>(), Is.Not.Empty);
    }

    [Test]
    public async Task PauseResume_AndAListPagedByBefore_WorkThroughTheGeneratedClient()
    {
        var circle = TestRedis.NewCircle("nswag-pause");
        var paused = await _api.CallAsync("PauseCircle", ("circle", circle));
        var resumed = await _api.CallAsync("ResumeCircle", ("circle", circle));
        for (var i = 0; i < 3; i++)
            await _api.CallAsync("SubmitTask", ("circle", circle), ("wait", 10.0), ("body", Submit($"{i}")));

        var first = ((IEnumerable)GeneratedClient.Get(await _api.CallAsync("ListTasks", ("circle", circle), ("limit", 2)), "Tasks")!).Cast<object>().ToArray();
        var before = (string)GeneratedClient.Get(first[^1], "Id")!;
        var rest = ((IEnumerable)GeneratedClient.Get(await _api.CallAsync("ListTasks", ("circle", circle), ("before", before)), "Tasks")!).Cast<object>().ToArray();

        Assert.That(GeneratedClient.Get(paused, "Paused"), Is.EqualTo(true));
        Assert.That(GeneratedClient.Get(resumed, "Paused"), Is.EqualTo(false));
        Assert.That(first, Has.Length.EqualTo(2));
        Assert.That(rest, Has.Length.EqualTo(1));
        Assert.That(string.CompareOrdinal((string)GeneratedClient.Get(rest[0], "Id")!, before), Is.LessThan(0));
    }

    [Test]
    public async Task Drain_CancelsTheWaitingTasks_ThroughTheGeneratedClient()
    {
        var circle = TestRedis.NewCircle("nswag-drain");
        await _api.CallAsync("PauseCircle", ("circle", circle));
        var task = await _api.CallAsync("SubmitTask", ("circle", circle), ("body", Submit("1")));
        await _api.CallAsync("SubmitTask", ("circle", circle), ("body", Submit("2")));

        var drained = await _api.CallAsync("DrainCircle", ("circle", circle), ("scheduled", (bool?)true));
        var read = await _api.CallAsync("GetTask", ("circle", circle), ("id", GeneratedClient.Get(task, "Id")));
        await _api.CallAsync("ResumeCircle", ("circle", circle));

        Assert.That(GeneratedClient.Get(drained, "Cancelled"), Is.EqualTo(2L));
        Assert.That(GeneratedClient.Get(GeneratedClient.Get(drained, "Circle")!, "Pending"), Is.EqualTo(0L));
        Assert.That(GeneratedClient.Get(read, "Status")!.ToString(), Is.EqualTo("Cancelled").IgnoreCase);
    }

    [Test]
    public async Task RetryFailed_ReRunsAFailure_ThroughTheGeneratedClient()
    {
        var circle = TestRedis.NewCircle("nswag-refail");
        var failed = await _api.CallAsync("SubmitTask", ("circle", circle), ("wait", 10.0), ("body", Submit("throw new Error('x')")));

        var batch = await _api.CallAsync("RetryFailedTasks", ("circle", circle), ("limit", (int?)10));

        var tasks = ((IEnumerable)GeneratedClient.Get(batch, "Tasks")!).Cast<object>().ToArray();
        Assert.That(tasks, Has.Length.EqualTo(1));
        Assert.That(GeneratedClient.Get(tasks[0], "RetryOf"), Is.EqualTo(GeneratedClient.Get(failed, "Id")));
    }

    [Test]
    public async Task Health_IsReadable()
    {
        Assert.That(await ReadyStatusAsync(), Is.EqualTo(System.Net.HttpStatusCode.OK));
        var health = await _api.CallAsync("GetHealth");

        Assert.That(GeneratedClient.Wire(GeneratedClient.Get(health, "Status")), Is.EqualTo("healthy"));
        var checks = ((IEnumerable)GeneratedClient.Get(health, "Checks")!).Cast<object>().ToArray();
        Assert.That(checks.Select(c => GeneratedClient.Get(c, "Name")), Is.EquivalentTo(new[] { "redis", "workers", "embedded-data" }));
        Assert.That(checks.Select(c => GeneratedClient.Get(c, "Description")), Is.All.Not.Null);
    }
}
