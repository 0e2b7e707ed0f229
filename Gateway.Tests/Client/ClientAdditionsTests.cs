using System.Net;
using Gateway.Client;

namespace Gateway.Tests.Client;

/// <summary>Retry, batch wait, the circle stream and the scheduling options, against a real Gateway.Api process.</summary>
[TestFixture]
public sealed class ClientAdditionsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private GatewayClient _client = null!;

    [OneTimeSetUp]
    public void CreateClient() => _client = ClientApi.CreateClient();

    [OneTimeTearDown]
    public void DisposeClient() => _client.Dispose();

    [Test]
    public async Task RetryAsync_FailedTask_ReturnsANewTaskWithRetryOf_ThatRunsAgain()
    {
        var circle = TestRedis.NewCircle("retry");
        var failed = await _client.SubmitAsync(circle, "throw new Error('once')", wait: Wait);
        Assert.That(failed.Status, Is.EqualTo(GatewayTaskStatus.Failed));

        var again = await _client.RetryAsync(circle, failed.Id);
        var finished = await _client.WaitAsync(circle, again.Id, Wait);

        Assert.That(again.Id, Is.Not.EqualTo(failed.Id));
        Assert.That(again.RetryOf, Is.EqualTo(failed.Id));
        Assert.That(finished.Status, Is.EqualTo(GatewayTaskStatus.Failed));
        Assert.That(finished.Error!.Message, Does.Contain("once"));
    }

    [Test]
    public async Task RetryAsync_CompletedTask_ThrowsConflict()
    {
        var circle = TestRedis.NewCircle("retry");
        var done = await _client.RunAsync(circle, "1");

        var conflict = (await Assert.ThrowsAsync<GatewayApiException>(() => _client.RetryAsync(circle, done.Id)))!;

        Assert.That(conflict.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task SubmitBatchAsync_WithWait_AllFinish_ReportsAllFinished()
    {
        var circle = TestRedis.NewCircle("batchwait");

        var batch = await _client.SubmitBatchAsync(circle, [new TaskSubmission("1 + 1"), new TaskSubmission("'b'")], Wait);

        Assert.That(batch.AllFinished, Is.True);
        Assert.That(batch.Select(t => t.Status), Is.All.EqualTo(GatewayTaskStatus.Completed));
        Assert.That(batch[0].Result!.Value.GetRawText(), Is.EqualTo("2"));
    }

    [Test]
    public async Task WatchCircleAsync_TaskSubmitted_SeesItComplete()
    {
        var circle = TestRedis.NewCircle("stream");
        using var stop = new CancellationTokenSource(Wait);
        // The watcher knows the task by its result, not its id: the task may complete, and its
        // event arrive, before the submit's answer tells the test which id it got.
        var expected = "streamed-" + Guid.NewGuid().ToString("N");
        var watching = Task.Run(async () =>
        {
            await foreach (var change in _client.WatchCircleAsync(circle, stop.Token))
            {
                if (change is { Status: GatewayTaskStatus.Completed, Result: { } result } && result.GetString() == expected)
                    return change;
            }
            return null;
        });
        // The stream only shows changes after it opened; give it a moment to be connected.
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        var task = await _client.SubmitAsync(circle, $"'{expected}'");
        var completed = await watching;

        Assert.That(completed, Is.Not.Null);
        Assert.That(completed!.Id, Is.EqualTo(task.Id));
        Assert.That(completed.Circle, Is.EqualTo(circle));
    }

    [Test]
    public async Task WatchCircleAsync_SubmitThatWaits_SeesBothOfItsChanges()
    {
        // A submit that waits on an idle Api is taken by that process's own worker at once, never
        // queued: the circle's stream must still get one event for each change (processing, then
        // completed). Each event carries the task as it stands when sent, so a fast task may show
        // completed in both; what is checked is that there are two.
        var circle = TestRedis.NewCircle("stream");
        using var stop = new CancellationTokenSource(Wait);
        var seen = new List<GatewayTask>();
        var watching = Task.Run(async () =>
        {
            await foreach (var change in _client.WatchCircleAsync(circle, stop.Token))
            {
                lock (seen)
                    seen.Add(change);
                // Events come in the order of the changes: once the marker task submitted after
                // the first one has completed, every event of the first has arrived.
                if (change is { Status: GatewayTaskStatus.Completed, Result: { } result } && result.GetString() == "marker")
                    return;
            }
        });
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        var task = await _client.SubmitAsync(circle, "'waited'", wait: Wait);
        await _client.SubmitAsync(circle, "'marker'");
        await watching;

        Assert.That(task.Status, Is.EqualTo(GatewayTaskStatus.Completed));
        List<GatewayTask> mine;
        lock (seen)
            mine = seen.Where(t => t.Id == task.Id).ToList();
        Assert.That(mine, Has.Count.EqualTo(2));
        Assert.That(mine[1].Status, Is.EqualTo(GatewayTaskStatus.Completed));
    }

    [Test]
    public async Task SubmitAsync_DelayAndPriority_TaskIsScheduledThenCompletes()
    {
        var circle = TestRedis.NewCircle("delay");

        var task = await _client.SubmitAsync(circle, "'later'", options: new SubmitOptions { Delay = TimeSpan.FromSeconds(2), Priority = 7 });
        var finished = await _client.WaitAsync(circle, task.Id, Wait);

        Assert.That(task.Status, Is.EqualTo(GatewayTaskStatus.Scheduled));
        Assert.That(task.Priority, Is.EqualTo(7));
        Assert.That(task.RunAt, Is.Not.Null);
        Assert.That(finished.Status, Is.EqualTo(GatewayTaskStatus.Completed));
        Assert.That(finished.StartedAt, Is.GreaterThanOrEqualTo(task.RunAt));
    }
}
