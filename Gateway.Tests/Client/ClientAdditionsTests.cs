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
        Assert.That((failed.RetriedBy, (await _client.GetAsync(circle, failed.Id)).RetriedBy), Is.EqualTo(((string?)null, again.Id)));
        Assert.That(finished.Status, Is.EqualTo(GatewayTaskStatus.Failed));
        Assert.That(finished.Error!.Message, Does.Contain("once"));
    }

    [Test]
    public async Task RetryFailedAsync_ReRunsTheFailuresNotReRunYet_AndALimitOutOfRangeIs400()
    {
        var circle = TestRedis.NewCircle("refail");
        var failed = await _client.SubmitAsync(circle, "throw new Error('once')", wait: Wait);
        await _client.RunAsync(circle, "1");

        var reRuns = await _client.RetryFailedAsync(circle);
        var none = await _client.RetryFailedAsync(circle, limit: 5);
        var error = (await Assert.ThrowsAsync<GatewayApiException>(() => _client.RetryFailedAsync(circle, limit: 0)))!;

        Assert.That(reRuns.Select(t => t.RetryOf), Is.EqualTo(new[] { failed.Id }));
        Assert.That((await _client.GetAsync(circle, failed.Id)).RetriedBy, Is.EqualTo(reRuns[0].Id));
        Assert.That(none.Where(t => t.RetryOf == failed.Id), Is.Empty, "re-run already");
        Assert.That(error.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(error.Errors, Does.ContainKey("limit"));
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
        // queued: the circle's stream must still get one event for each change, processing and
        // then completed. The script runs long enough for its processing change to be read as such.
        var circle = TestRedis.NewCircle("stream");

        var (task, seen) = await WatchWhileAsync(circle, async () =>
            [await _client.SubmitAsync(circle, "const end = Date.now() + 400; while (Date.now() < end) {} 'waited'", wait: Wait)]);

        Assert.That(task.Single().Status, Is.EqualTo(GatewayTaskStatus.Completed));
        Assert.That(seen.Where(t => t.Id == task.Single().Id).Select(t => t.Status),
            Is.EqualTo(new[] { GatewayTaskStatus.Processing, GatewayTaskStatus.Completed }));
    }

    [Test]
    public async Task WatchCircleAsync_FastTasks_EachFinishedStateArrivesOnce()
    {
        // A fast task has often finished by the time the stream reads it for its earlier change
        // (pending, processing): that change is left out, and the finishing one tells the task,
        // so a caller that acts on completion acts once per task.
        var circle = TestRedis.NewCircle("stream");

        var (tasks, seen) = await WatchWhileAsync(circle, async () =>
        {
            var waited = Enumerable.Range(0, 20).Select(i => _client.SubmitAsync(circle, $"{i}", wait: Wait));
            var queued = Enumerable.Range(0, 20).Select(i => _client.SubmitAsync(circle, $"'q{i}'"));
            var submitted = await Task.WhenAll(waited.Concat(queued));
            return await Task.WhenAll(submitted.Select(t => _client.WaitAsync(circle, t.Id, Wait)));
        });

        Assert.That(tasks.Select(t => t.Status), Is.All.EqualTo(GatewayTaskStatus.Completed));
        foreach (var task in tasks)
        {
            var events = seen.Where(t => t.Id == task.Id).Select(t => t.Status).ToList();
            Assert.That(events.Count(s => s.IsTerminal()), Is.EqualTo(1), $"task {task.Id}: {string.Join(", ", events)}");
            Assert.That(events, Is.Unique, $"task {task.Id}: no status is told twice: {string.Join(", ", events)}");
            Assert.That(events[^1], Is.EqualTo(GatewayTaskStatus.Completed), $"task {task.Id}: {string.Join(", ", events)}");
        }
    }

    /// <summary>
    /// Every event of the circle's stream while <paramref name="act"/> runs, up to the completion of
    /// a marker task submitted after it: events come in the order of the changes, so by then
    /// every event of the tasks before it has arrived.
    /// </summary>
    private async Task<(IReadOnlyList<GatewayTask> Tasks, IReadOnlyList<GatewayTask> Seen)> WatchWhileAsync(
        string circle, Func<Task<GatewayTask[]>> act)
    {
        using var stop = new CancellationTokenSource(Wait);
        var marker = "marker-" + Guid.NewGuid().ToString("N");
        var seen = new List<GatewayTask>();
        var watching = Task.Run(async () =>
        {
            await foreach (var change in _client.WatchCircleAsync(circle, stop.Token))
            {
                lock (seen)
                    seen.Add(change);
                if (change is { Status: GatewayTaskStatus.Completed, Result: { } result } && result.ValueKind == System.Text.Json.JsonValueKind.String && result.GetString() == marker)
                    return;
            }
        });
        // The stream only shows changes after it opened; give it a moment to be connected.
        await Task.Delay(TimeSpan.FromMilliseconds(500));

        var tasks = await act();
        await _client.SubmitAsync(circle, $"'{marker}'");
        await watching;

        lock (seen)
            return (tasks, seen.ToList());
    }

    [Test]
    public async Task DrainCircleAsync_CancelsWhatWaits_EachCancelReachesTheCircleStream_TheScheduledOnlyWhenAsked()
    {
        var circle = TestRedis.NewCircle("drain");
        await _client.PauseCircleAsync(circle);
        GatewayTask[] queued = [];
        GatewayTask? delayed = null;
        DrainResult? drained = null;

        // Submitted while the stream listens: a change made before it opened may reach it late.
        var (_, seen) = await WatchWhileAsync(circle, async () =>
        {
            queued = [await _client.SubmitAsync(circle, "1"), await _client.SubmitAsync(circle, "2", options: new SubmitOptions { Priority = 5 })];
            delayed = await _client.SubmitAsync(circle, "3", options: new SubmitOptions { Delay = TimeSpan.FromMinutes(10) });
            drained = await _client.DrainCircleAsync(circle);
            await _client.ResumeCircleAsync(circle); // for the marker task the watch ends on
            return queued;
        });
        var withScheduled = await _client.DrainCircleAsync(circle, scheduled: true);

        Assert.That(drained!.Cancelled, Is.EqualTo(2));
        Assert.That((drained.Circle.Name, drained.Circle.Pending, drained.Circle.Scheduled, drained.Circle.Paused), Is.EqualTo((circle, 0L, 1L, true)));
        foreach (var task in queued)
        {
            var statuses = seen.Where(t => t.Id == task.Id).Select(t => t.Status).ToArray();
            Assert.That(statuses.Where(s => s is GatewayTaskStatus.Completed or GatewayTaskStatus.Failed or GatewayTaskStatus.Cancelled),
                Is.EqualTo(new[] { GatewayTaskStatus.Cancelled }), $"{task.Id}: {string.Join(", ", statuses)}");
            Assert.That(statuses[^1], Is.EqualTo(GatewayTaskStatus.Cancelled));
        }
        Assert.That(seen.Where(t => t.Id == delayed!.Id).Select(t => t.Status), Does.Not.Contain(GatewayTaskStatus.Cancelled),
            "a drain without scheduled leaves them be");
        Assert.That(withScheduled.Cancelled, Is.EqualTo(1));
        Assert.That((await _client.GetAsync(circle, delayed!.Id)).Status, Is.EqualTo(GatewayTaskStatus.Cancelled));
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
