using Gateway.Core.Configuration;
using Gateway.Core.Queueing;
using Gateway.Scripting.Rhai;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Rhai;

/// <summary>The Rhai runner on its own: its parse cache and its clock.</summary>
[TestFixture]
public sealed class RhaiRunnerTests
{
    private static ClaimedTask Task(string script, int timeoutMs = 5_000, string args = "null") =>
        new(new TaskRecord { Id = "t1", Circle = "c", Status = TaskState.Processing, Attempts = 1, TimeoutMs = timeoutMs, Language = ScriptLanguage.Rhai },
            script, args, "lease");

    [Test]
    public void SameScript_IsCompiledOnce_ASyntaxErrorIsNotKept()
    {
        var runner = new RhaiRunner(new LimitsOptions(), null, TimeProvider.System, NullLogger.Instance);

        var one = runner.Run(Task("args * 2", args: "4"), CancellationToken.None);
        var two = runner.Run(Task("args * 2", args: "5"), CancellationToken.None);
        var bad = runner.Run(Task("let = ;"), CancellationToken.None);

        Assert.That((one.ResultJson, two.ResultJson), Is.EqualTo(("8", "10")));
        Assert.That(bad.Error!.Code, Is.EqualTo(ErrorCodes.SyntaxError));
        Assert.That(runner.CachedScripts, Is.EqualTo(1));
    }

    [Test]
    public void Deadline_FollowsTheInjectedClock()
    {
        var clock = new FakeTimeProvider();
        var runner = new RhaiRunner(new LimitsOptions(), null, clock, NullLogger.Instance);

        var run = System.Threading.Tasks.Task.Run(() => runner.Run(Task("loop { }", timeoutMs: 1_000), CancellationToken.None));
        Thread.Sleep(200);
        Assert.That(run.IsCompleted, Is.False, "no time has passed on the task's clock");
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.That(run.Wait(TimeSpan.FromSeconds(10)), Is.True, "the run must end once its clock passes the deadline");
        Assert.That(run.Result.Status, Is.EqualTo(TaskState.Failed));
        Assert.That(run.Result.Error!.Code, Is.EqualTo(ErrorCodes.Timeout));
        Assert.That(run.Result.DurationMs, Is.EqualTo(1_000).Within(1), "duration by the same clock");
    }

    [Test]
    public void Cancel_IsCancelled_NotTimeout()
    {
        var runner = new RhaiRunner(new LimitsOptions(), null, TimeProvider.System, NullLogger.Instance);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var outcome = runner.Run(Task("loop { }", timeoutMs: 30_000), cancel.Token);

        Assert.That(outcome.Status, Is.EqualTo(TaskState.Cancelled));
        Assert.That(outcome.Error, Is.Null);
    }

    [Test]
    public void WithoutAStore_TheModulesAreNotThere()
    {
        var runner = new RhaiRunner(new LimitsOptions(), null, TimeProvider.System, NullLogger.Instance);

        var outcome = runner.Run(Task("calendar::list_calendars()"), CancellationToken.None);

        Assert.That(outcome.Error!.Code, Is.EqualTo(ErrorCodes.ScriptError));
        Assert.That(outcome.Error.Message, Does.Contain("calendar"));
    }
}
