using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Api;

/// <summary>
/// <c>POST /api/circles/{c}/tasks/retry</c> runs the circle's failed tasks again, newest first, each
/// as a new task: only those no task re-runs yet, so a second call takes what failed since, and
/// calls at the same moment re-run each failure once between them.
/// </summary>
[TestFixture]
public sealed class RetryFailedTests : ApiFixture
{
    [Test]
    public async Task RetryFailed_ReRunsTheNewestFailuresUpToTheLimit_ThenOnlyWhatFailedSince()
    {
        var circle = TestRedis.NewCircle("refail");
        var failed = await FailAsync(circle, 3);
        await Client.SubmitAsync(circle, new { script = "1" }, wait: 20);
        var cancelled = await Client.SubmitAsync(circle, new { script = "1", delayMs = 600_000 });
        await Client.DeleteAsync($"/api/circles/{circle}/tasks/{cancelled.Id}");

        var first = await PostAsync($"/api/circles/{circle}/tasks/retry?limit=2");

        var reRuns = Tasks(first);
        Assert.That(reRuns.Select(t => t.RetryOf), Is.EqualTo(new[] { failed[2], failed[1] }), "the newest failures first");
        foreach (var (id, retryOf) in reRuns)
        {
            var done = await Client.GetTaskAsync(circle, id, wait: 20);
            Assert.That(done.TaskStatus, Is.EqualTo("failed"), done.ToString());
            Assert.That((await Client.GetTaskAsync(circle, retryOf)).Body!["retriedBy"]!.GetValue<string>(), Is.EqualTo(id));
        }

        var second = Tasks(await PostAsync($"/api/circles/{circle}/tasks/retry"));

        Assert.That(second.Select(t => t.RetryOf), Is.EquivalentTo(new[] { reRuns[0].Id, reRuns[1].Id, failed[0] }),
            "the re-runs that failed again and the one failure not re-run yet; never a completed or cancelled task");
        foreach (var (id, _) in second)
            Assert.That((await Client.GetTaskAsync(circle, id, wait: 20)).TaskStatus, Is.EqualTo("failed"));
        var third = Tasks(await PostAsync($"/api/circles/{circle}/tasks/retry"));
        Assert.That(third.Select(t => t.RetryOf), Is.EquivalentTo(second.Select(t => t.Id)), "only what failed since");
    }

    [Test]
    public async Task RetryFailed_ThreeCallsAtOnce_ReRunEachFailureOnceBetweenThem()
    {
        var circle = TestRedis.NewCircle("refail");
        var failed = await FailAsync(circle, 30);
        // Paused, so no re-run fails in time to be taken by a later call as a failure of its own.
        Assert.That((await GatewayClient.ReadAsync(await Client.PostAsync($"/api/circles/{circle}/pause", null))).Status, Is.EqualTo(HttpStatusCode.OK));

        var calls = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => PostAsync($"/api/circles/{circle}/tasks/retry")));

        var reRunOf = calls.SelectMany(Tasks).Select(t => t.RetryOf).ToList();
        Assert.That(reRunOf, Is.Unique, string.Join(", ", calls.Select(c => Tasks(c).Count)));
        Assert.That(reRunOf, Is.EquivalentTo(failed));
        await Client.PostAsync($"/api/circles/{circle}/resume", null);
    }

    [Test]
    public async Task RetryFailed_WithNothingFailed_Is202WithNoTask()
    {
        var circle = TestRedis.NewCircle("refail");
        await Client.SubmitAsync(circle, new { script = "1" }, wait: 20);

        var response = await PostAsync($"/api/circles/{circle}/tasks/retry");

        Assert.That(Tasks(response), Is.Empty);
    }

    [TestCase("0")]
    [TestCase("501")]
    [TestCase("many")]
    public async Task RetryFailed_WithALimitOutOfRange_Is400NamingIt_AndRunsNothing(string limit)
    {
        var circle = TestRedis.NewCircle("refail");
        var failed = await Client.SubmitAsync(circle, new { script = "throw new Error('x')" }, wait: 20);

        var response = await GatewayClient.ReadAsync(await Client.PostAsync($"/api/circles/{circle}/tasks/retry?limit={limit}", null));

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest), response.ToString());
        Assert.That(response.Body!["errors"]!["limit"], Is.Not.Null, response.ToString());
        Assert.That((await Client.GetTaskAsync(circle, failed.Id)).Body!["retriedBy"], Is.Null);
    }

    /// <summary>Submits <paramref name="count"/> tasks that fail, one after the other, each waited for; their ids.</summary>
    private async Task<List<string>> FailAsync(string circle, int count)
    {
        var failed = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var task = await Client.SubmitAsync(circle, new { script = $"throw new Error('f{i}')" }, wait: 20);
            Assert.That(task.TaskStatus, Is.EqualTo("failed"), task.ToString());
            failed.Add(task.Id);
        }
        return failed;
    }

    private async Task<ApiResponse> PostAsync(string path)
    {
        var response = await GatewayClient.ReadAsync(await Client.PostAsync(path, null));
        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Accepted), response.ToString());
        return response;
    }

    private static List<(string Id, string RetryOf)> Tasks(ApiResponse response) =>
        response.Body!["tasks"]!.AsArray().Select(t => (t!["id"]!.GetValue<string>(), t["retryOf"]!.GetValue<string>())).ToList();
}
