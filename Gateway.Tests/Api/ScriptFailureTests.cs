using Gateway.Tests;
using System.Diagnostics;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Api;

[TestFixture]
public sealed class ScriptFailureTests : ApiFixture
{
    [Test]
    public async Task UncaughtThrow_FailsWithScriptError_AndItsLine()
    {
        var task = await Client.RunAsync(TestRedis.NewCircle(), "throw new Error('boom')");

        Assert.That(task.TaskStatus, Is.EqualTo("failed"));
        Assert.That(task.ErrorCode, Is.EqualTo("script_error"));
        Assert.That(task.Body!["error"]!["message"]!.GetValue<string>(), Does.Contain("boom"));
        Assert.That(task.Body!["error"]!["line"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(task.Result, Is.Null);
    }

    [Test]
    public async Task ThrowOnALaterLine_ReportsThatLine()
    {
        var task = await Client.RunAsync(TestRedis.NewCircle(), "const a = 1;\nconst b = 2;\nnull.x;");

        Assert.That(task.ErrorCode, Is.EqualTo("script_error"));
        Assert.That(task.Body!["error"]!["line"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(task.Body!["error"]!["message"]!.GetValue<string>(), Does.StartWith("TypeError"));
    }

    [TestCase("let = ;")]
    [TestCase("function (")]
    [TestCase("with (Math) { max(1, 2) }")]
    public async Task InvalidSyntax_FailsWithSyntaxError(string script)
    {
        var task = await Client.RunAsync(TestRedis.NewCircle(), script);

        Assert.That(task.TaskStatus, Is.EqualTo("failed"));
        Assert.That(task.ErrorCode, Is.EqualTo("syntax_error"), task.ToString());
        Assert.That(task.Body!["error"]!["line"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public async Task InfiniteLoop_FailsWithTimeout_WithinASecond()
    {
        var clock = Stopwatch.StartNew();
        var task = await Client.RunAsync(TestRedis.NewCircle(), "while (true) {}", timeoutMs: 200);
        clock.Stop();

        Assert.That(task.ErrorCode, Is.EqualTo("timeout"));
        Assert.That(task.Body!["durationMs"]!.GetValue<double>(), Is.InRange(150, 1000));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task UnboundedRecursion_FailsWithRecursionLimit_AndTheServerGoesOn()
    {
        var circle = TestRedis.NewCircle();
        var task = await Client.RunAsync(circle, "function f() { f() } f()");
        Assert.That(task.ErrorCode, Is.EqualTo("recursion_limit"));

        var valueOf = await Client.RunAsync(circle, "var o = { valueOf() { return +this } }; +o");
        Assert.That(valueOf.ErrorCode, Is.EqualTo("recursion_limit"));

        var next = await Client.RunAsync(circle, "1 + 1");
        Assert.That(next.Result!.GetValue<double>(), Is.EqualTo(2), "the worker must go on serving");
    }

    [TestCase("let a = []; while (true) a.push(new Array(1e5).fill(1))")]
    [TestCase("let s = 'x'; while (true) s += s")]
    [TestCase("new Array(1e9).fill(0)")]
    public async Task MemoryBomb_FailsWithMemoryLimit(string script)
    {
        var task = await Client.RunAsync(TestRedis.NewCircle(), script);

        Assert.That(task.ErrorCode, Is.EqualTo("memory_limit"), task.ToString());
    }

    [Test]
    public async Task ErrorMessages_CarryNoServerInternals()
    {
        var task = await Client.RunAsync(TestRedis.NewCircle(), "System.IO.File.ReadAllText('/etc/hostname')");

        var message = task.Body!["error"]!["message"]!.GetValue<string>();
        Assert.That(task.ErrorCode, Is.EqualTo("script_error"));
        Assert.That(message, Does.Contain("System is not defined"));
        Assert.That(message, Does.Not.Contain(" at ").And.Not.Contain(".cs"));
    }

    [Test]
    public async Task RejectedPromise_FailsWithScriptError()
    {
        var task = await Client.RunAsync(TestRedis.NewCircle(), "Promise.reject(new Error('nope'))");

        Assert.That(task.ErrorCode, Is.EqualTo("script_error"));
        Assert.That(task.Body!["error"]!["message"]!.GetValue<string>(), Does.Contain("nope"));
    }
}
