using System.Diagnostics;
using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Sandbox;

/// <summary>
/// Every hostile script runs through a real worker process; each must end with its error code
/// within its budget plus a margin, and the worker must run a normal task right after it.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class HostileScriptTests
{
    private const int MarginMs = 2_000;

    private readonly string _circle = TestRedis.NewCircle("hostile");
    private GatewayFactory _api = null!;
    private HttpClient _client = null!;
    private HostProcess _worker = null!;
    private long _rssBefore;

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
        var warm = await _client.RunAsync(_circle, "[1, 2, 3].map(x => x * 2)");
        Assert.That(warm.TaskStatus, Is.EqualTo("completed"));
        _rssBefore = _worker.RssBytes();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (!_worker.HasExited)
        {
            TestContext.Progress.WriteLine(
                $"Worker RSS before the hostile suite: {_rssBefore / 1048576} MiB, after: {_worker.RssBytes() / 1048576} MiB, " +
                $"peak: {_worker.RssBytes("VmHWM") / 1048576} MiB");
        }
        await _worker.DisposeAsync();
        _client.Dispose();
        await _api.DisposeAsync();
    }

    /// <summary>The repository's directory on this machine: the build output sits four levels below it.</summary>
    private static readonly string SourceRoot =
        Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..")).TrimEnd(Path.DirectorySeparatorChar);

    [TestCaseSource(typeof(HostileScripts), nameof(HostileScripts.All))]
    public async Task HostileScript_EndsWithItsErrorCode_WithinItsBudget_AndTheWorkerGoesOn(HostileScript hostile)
    {
        var clock = Stopwatch.StartNew();
        var task = await _client.SubmitAsync(_circle, new { script = hostile.Script, timeoutMs = hostile.TimeoutMs }, wait: 30);
        clock.Stop();

        Assert.That(task.Status, Is.EqualTo(HttpStatusCode.OK), $"{task}\n{_worker.Log}");
        Assert.That(task.TaskStatus, Is.EqualTo("failed"), task.ToString());
        Assert.That(task.ErrorCode, Is.EqualTo(hostile.ExpectedCode), task.ToString());
        Assert.That(task.Body!["durationMs"]!.GetValue<double>(), Is.LessThan(hostile.TimeoutMs + MarginMs), task.ToString());
        var message = task.Body!["error"]!["message"]!.GetValue<string>();
        // No .NET stack trace, and no path of this machine (the build's directory tells where the sources are).
        Assert.That(message, Does.Not.Contain("   at ").And.Not.Contain(".cs:line").And.Not.Contain(SourceRoot));

        var next = await _client.RunAsync(_circle, "args.n + 1", new { n = 41 });
        Assert.That(next.Result!.GetValue<double>(), Is.EqualTo(42), $"the worker must serve on after {hostile.Name}");
        Assert.That(_worker.HasExited, Is.False, _worker.Log);
    }

    [TestCaseSource(typeof(HostileScripts), nameof(HostileScripts.GarbageOnly))]
    public async Task GarbageOnlyScript_RunsToItsNaturalEnd_NeverMemoryLimit(HostileScript garbage)
    {
        var task = await _client.SubmitAsync(_circle, new { script = garbage.Script, timeoutMs = garbage.TimeoutMs }, wait: 30);

        Assert.That(task.Status, Is.EqualTo(HttpStatusCode.OK), $"{task}\n{_worker.Log}");
        if (garbage.ExpectedCode is null)
        {
            Assert.That(task.TaskStatus, Is.EqualTo("completed"), task.ToString());
        }
        else
        {
            Assert.That(task.ErrorCode, Is.EqualTo(garbage.ExpectedCode), task.ToString());
            // It ran out its whole time, not cut short by anything else.
            Assert.That(task.Body!["durationMs"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(garbage.TimeoutMs - 50), task.ToString());
        }
    }

    [Test]
    public async Task ScriptsHoldingMemoryOnEveryWorkerSlotAtOnce_FailMemoryLimit_AndTheProcessStaysBounded()
    {
        string[] holders =
        [
            "let a = []; while (true) a.push(new Array(1e5).fill(1))",
            "const k = []; for (let i = 0; ; i++) k.push('x'.repeat(1000) + i)",
            "const m = new Map(); for (let i = 0; ; i++) m.set(i, { i })",
            "const o = {}; for (let i = 0; ; i++) o['k' + i] = i",
            "const k = []; for (let i = 0; ; i++) { const d = [i, i + 1]; k.push(() => d) }",
            "const k = []; for (let i = 0; ; i++) k.push({ i, name: 'n' + i, tags: [i] })",
        ];
        var tasks = await Task.WhenAll(holders.Select(script =>
            _client.SubmitAsync(_circle, new { script, timeoutMs = 20_000 }, wait: 60)));

        Assert.That(tasks.Select(t => t.ErrorCode), Is.All.EqualTo("memory_limit"), string.Join("\n", tasks.Select(t => t.ToString())));
        Assert.That(_worker.HasExited, Is.False, _worker.Log);
        // The GC heap is capped at 512 MiB; the runtime, its code and its stacks come on top.
        var peak = _worker.RssBytes("VmHWM");
        TestContext.Progress.WriteLine($"Worker peak RSS after the holders: {peak / 1048576} MiB");
        Assert.That(peak, Is.LessThan(768L * 1024 * 1024));
    }

    [Test]
    public async Task PrototypePollution_AndGlobalTampering_DoNotLeakIntoTheNextTask()
    {
        var polluter = await _client.RunAsync(_circle, """
            Object.prototype.polluted = 'yes';
            Array.prototype.push = function () { return 'hijacked' };
            JSON.stringify = () => '"tampered"';
            globalThis.leftover = 1;
            var shared = 2;
            Object.defineProperty(globalThis, 'console', { value: null });
            'done'
            """);
        Assert.That(polluter.TaskStatus, Is.EqualTo("failed").Or.EqualTo("completed"));

        var probe = await _client.RunAsync(_circle, """
            [({}).polluted === undefined, [].push(1) === 1, JSON.stringify({a:1}) === '{"a":1}',
             typeof leftover === 'undefined', typeof shared === 'undefined', typeof console.log === 'function']
            """);
        Assert.That(probe.Result!.ToJsonString(), Is.EqualTo("[true,true,true,true,true,true]"));
    }

    [Test]
    public async Task GiantOutput_IsCutWithAVisibleMarker()
    {
        var task = await _client.RunAsync(_circle, "for (let i = 0; i < 20000; i++) console.log('line ' + i + ' ' + 'x'.repeat(50)); 'ok'");

        var output = task.Body!["output"]!.GetValue<string>();
        Assert.That(task.TaskStatus, Is.EqualTo("completed"));
        Assert.That(output, Does.StartWith("line 0 "));
        Assert.That(output, Does.EndWith("…[output truncated]"));
        Assert.That(output.Length, Is.LessThanOrEqualTo(65536 + 30));
    }

    [Test]
    public async Task SymbolResult_IsNullAsInJson()
    {
        var task = await _client.RunAsync(_circle, "Symbol('s')");

        Assert.That(task.TaskStatus, Is.EqualTo("completed"));
        Assert.That(task.Result, Is.Null);
    }

    [Test]
    public async Task MemoryBombsOnEveryWorkerSlotAtOnce_FailAlone_AndTheProcessLives()
    {
        var bombs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            _client.SubmitAsync(_circle, new { script = "let a = []; while (true) a.push(new Array(1e5).fill(1))", timeoutMs = 20_000 }, wait: 60)));

        Assert.That(bombs.Select(b => b.ErrorCode), Is.All.EqualTo("memory_limit"), string.Join("\n", bombs.Select(b => b.ToString())));
        Assert.That(_worker.HasExited, Is.False, _worker.Log);
        var next = await _client.RunAsync(_circle, "'still here'");
        Assert.That(next.Result!.GetValue<string>(), Is.EqualTo("still here"));
    }

    [Test]
    public async Task HostileSuite_LeavesTheWorkerAlive()
    {
        var task = await _client.RunAsync(_circle, "1");

        Assert.That(task.TaskStatus, Is.EqualTo("completed"));
        Assert.That(_worker.HasExited, Is.False);
        Assert.That(await (await new HttpClient().GetAsync($"http://127.0.0.1:{_worker.Port}/health/ready")).Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
    }
}
