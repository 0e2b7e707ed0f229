using Gateway.Core.Queueing;
using Gateway.Workers.Processing;

namespace Gateway.Tests.Workers;

[TestFixture]
public sealed class RunningTaskTests
{
    private static ClaimedTask AnyTask() =>
        new(new TaskRecord { Id = "0123456789abcdef0123456789abcdef", Circle = "c", Status = TaskState.Processing, Attempts = 1, TimeoutMs = 1000 },
            "1", "null", "token");

    [Test]
    public void StoppingATaskWhoseRunEnded_DoesNothing()
    {
        // A renewal or a cancel event may learn of a task just as its run ends and disposes it.
        var running = new RunningTask(AnyTask());
        running.Dispose();

        Assert.DoesNotThrow(() => running.Stop(StopReason.LeaseLost));
        Assert.DoesNotThrow(() => running.Stop(StopReason.Cancelled));
        Assert.That(running.Reason, Is.EqualTo(StopReason.LeaseLost));
    }

    [Test]
    public void LosingTheLease_StopsTheScript()
    {
        using var running = new RunningTask(AnyTask());
        running.Stop(StopReason.LeaseLost);
        Assert.That(running.Token.IsCancellationRequested, Is.True);
        Assert.That(running.Reason, Is.EqualTo(StopReason.LeaseLost));
    }

    [Test]
    public void TheFirstReasonCounts_ALaterOneDoesNotReplaceIt()
    {
        using var running = new RunningTask(AnyTask());
        running.Stop(StopReason.Shutdown);
        running.Stop(StopReason.Cancelled);
        Assert.That(running.Reason, Is.EqualTo(StopReason.Shutdown));
    }
}
