using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Sandbox;

/// <summary>
/// The Rhai half of the hostile suite, through a real worker process as for JavaScript: each
/// script ends with its error code within its budget plus a margin, and the worker then runs
/// the next task, in either language.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RhaiWorkerHostileTests
{
    private const int MarginMs = 2_000;

    private readonly string _circle = TestRedis.NewCircle("rhai-hostile");
    private GatewayFactory _api = null!;
    private HttpClient _client = null!;
    private HostProcess _worker = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _api = new GatewayFactory(new Dictionary<string, string?> { ["Gateway:Workers:Enabled"] = "false" });
        _client = _api.CreateClient();
        _worker = await HostProcess.StartWorkerAsync(new Dictionary<string, string>
        {
            ["Gateway:Workers:Circles:0"] = _circle,
            ["Gateway:Workers:Concurrency"] = "2",
            // As a container would run it: a hard GC heap limit (see docs/SANDBOX.md).
            ["DOTNET_GCHeapHardLimit"] = "0x20000000",
        });
        var warm = await Submit("[1, 2, 3].map(|x| x * 2)", 5_000);
        Assert.That(warm.Result!.ToJsonString(), Is.EqualTo("[2,4,6]"), warm.ToString());
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (!_worker.HasExited)
            TestContext.Progress.WriteLine($"Worker peak RSS after the Rhai hostile suite: {_worker.RssBytes("VmHWM") / 1048576} MiB");
        await _worker.DisposeAsync();
        _client.Dispose();
        await _api.DisposeAsync();
    }

    private Task<ApiResponse> Submit(string script, int timeoutMs, object? args = null) =>
        _client.SubmitAsync(_circle, new { script, args, timeoutMs, language = "rhai" }, wait: 30);

    [TestCaseSource(typeof(RhaiHostileScripts), nameof(RhaiHostileScripts.All))]
    public async Task HostileRhaiScript_EndsWithItsErrorCode_WithinItsBudget_AndTheWorkerGoesOn(HostileScript hostile)
    {
        var task = await Submit(hostile.Script, hostile.TimeoutMs);

        Assert.That(task.Status, Is.EqualTo(HttpStatusCode.OK), $"{task}\n{_worker.Log}");
        Assert.That(task.TaskStatus, Is.EqualTo("failed"), task.ToString());
        Assert.That(task.ErrorCode, Is.EqualTo(hostile.ExpectedCode), task.ToString());
        Assert.That(task.Body!["durationMs"]!.GetValue<double>(), Is.LessThan(hostile.TimeoutMs + MarginMs), task.ToString());
        var message = task.Body!["error"]!["message"]!.GetValue<string>();
        Assert.That(message, Does.Not.Contain("   at ").And.Not.Contain(".cs:line"));

        var next = await Submit("args.n + 1", 5_000, new { n = 41 });
        Assert.That(next.Result!.GetValue<long>(), Is.EqualTo(42), $"the worker must serve on after {hostile.Name}");
        var js = await _client.RunAsync(_circle, "args.n * 2", new { n = 21 });
        Assert.That(js.Result!.GetValue<double>(), Is.EqualTo(42), $"and run JavaScript after {hostile.Name}");
        Assert.That(_worker.HasExited, Is.False, _worker.Log);
    }

    [Test]
    public async Task MemoryBombsOnEveryWorkerSlotAtOnce_FailAlone_AndTheProcessLives()
    {
        var bombs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Submit("let s = \"x\"; loop { s += s; }", 20_000)));

        Assert.That(bombs.Select(b => b.ErrorCode), Is.All.EqualTo("memory_limit"), string.Join("\n", bombs.Select(b => b.ToString())));
        Assert.That(_worker.HasExited, Is.False, _worker.Log);
        var next = await Submit("\"still here\"", 5_000);
        Assert.That(next.Result!.GetValue<string>(), Is.EqualTo("still here"));
    }

    /// <summary>
    /// Rhai's limits bound each value, not what a run holds in total: a hundred strings of 8 MB,
    /// each under the string limit, are stopped by the process's heap limit instead (the
    /// OutOfMemoryException ends the run as memory_limit). Slower than a per-run budget, and
    /// the heap is shared with the other slot; but the task ends with its code and the worker serves on.
    /// </summary>
    [Test]
    public async Task ManyBigValues_EachUnderItsLimit_EndAtTheHeapLimit_AndTheWorkerGoesOn()
    {
        var script = "let s = \"\"; s.pad(4_000_000, 'x');\n"
            + string.Concat(Enumerable.Range(0, 100).Select(i => $"let v{i} = s + \"{i}\";\n")) + "v0.len()";

        var task = await Submit(script, 20_000);

        Assert.That(task.ErrorCode, Is.EqualTo("memory_limit"), task.ToString());
        Assert.That(_worker.HasExited, Is.False, _worker.Log);
        var next = await Submit("args.n + 1", 5_000, new { n = 41 });
        Assert.That(next.Result!.GetValue<long>(), Is.EqualTo(42));
    }

    [Test]
    public async Task GiantOutput_IsCutWithAVisibleMarker()
    {
        var task = await Submit("let line = \"x\"; line.pad(50, 'x'); for i in 0..20000 { print(`line ${i} ${line}`); } \"ok\"", 10_000);

        var output = task.Body!["output"]!.GetValue<string>();
        Assert.That(task.TaskStatus, Is.EqualTo("completed"), task.ToString());
        Assert.That(output, Does.StartWith("line 0 "));
        Assert.That(output, Does.EndWith("…[output truncated]"));
    }
}
