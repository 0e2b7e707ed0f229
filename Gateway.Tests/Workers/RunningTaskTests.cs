using Gateway.Core.Tasks;
using Gateway.Workers.Processing;

namespace Gateway.Tests.Workers;

[TestFixture]
public sealed class RunningTaskTests
{
    private static ClaimedTask AnyTask() =>
        new("0123456789abcdef0123456789abcdef", "c", "1", "null", 1000, 1, null, "token", DateTimeOffset.UnixEpoch);

    [Test]
    public void StoppingATaskWhoseRunEnded_DoesNothing()
    {
        // A renewal or a cancel event may learn of a task just as its run ends and disposes it.
        var running = new RunningTask(AnyTask(), CancellationToken.None);
        running.Dispose();

        Assert.DoesNotThrow(running.LoseLease);
        Assert.DoesNotThrow(running.RequestCancel);
        Assert.That(running.LeaseLost && running.CancelRequested, Is.True);
    }

    [Test]
    public void LosingTheLease_StopsTheScript()
    {
        using var running = new RunningTask(AnyTask(), CancellationToken.None);
        running.LoseLease();
        Assert.That(running.Token.IsCancellationRequested, Is.True);
    }
}
