using System.Diagnostics;
using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Workers;

/// <summary>
/// An operator pauses a circle: its tasks are accepted and wait, no worker claims one (the Api's
/// own, a worker process, a completion that would take the next), tasks already running finish;
/// resumed, the waiting tasks run at once.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CirclePauseTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1.5);

    [Test]
    public async Task InProcessWorkers_APausedCircleKeepsItsTasksWaiting_EvenTheComingDueAndTheNextOfARunningOne_UntilResumed()
    {
        var circle = TestRedis.NewCircle("pause");
        await using var api = new GatewayFactory();
        using var client = api.CreateClient();
        // One running when the pause comes: it finishes, and its completion does not take the next.
        var running = await client.SubmitAsync(circle, new { script = Scripts.BusyFor(800) });
        await client.WaitForStatusAsync(circle, running.Id, "processing");

        var paused = await PostAsync(client, $"/api/circles/{circle}/pause");
        var again = await PostAsync(client, $"/api/circles/{circle}/pause");
        // At once: other processes of the suite serve every circle, and may not have heard yet.
        var waited = await client.SubmitAsync(circle, new { script = "'waited'" }, wait: 1);
        var queued = await client.SubmitAsync(circle, new { script = "'queued'", priority = 5 });
        var delayed = await client.SubmitAsync(circle, new { script = "'delayed'", delayMs = 200 });

        Assert.That(paused.Body!["paused"]!.GetValue<bool>(), Is.True, paused.ToString());
        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.OK), "pausing a paused circle changes nothing");
        Assert.That(waited.Status, Is.EqualTo(HttpStatusCode.Accepted), "a submit that waits is not run by its own process");
        Assert.That((await client.GetTaskAsync(circle, running.Id, wait: 10)).TaskStatus, Is.EqualTo("completed"), "the running task finishes");
        await Task.Delay(Quiet);
        foreach (var id in new[] { waited.Id, queued.Id, delayed.Id })
            Assert.That((await client.GetTaskAsync(circle, id)).TaskStatus, Is.EqualTo("pending"), id);
        var figures = await GatewayClient.ReadAsync(await client.GetAsync($"/api/circles/{circle}"));
        Assert.That(figures.Body!["paused"]!.GetValue<bool>(), Is.True);
        Assert.That(figures.Body!["pending"]!.GetValue<long>(), Is.EqualTo(3));
        var listed = await GatewayClient.ReadAsync(await client.GetAsync("/api/circles"));
        Assert.That(listed.Body!["circles"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == circle)!["paused"]!.GetValue<bool>(), Is.True);

        var resumed = await PostAsync(client, $"/api/circles/{circle}/resume");
        Assert.That(resumed.Body!["paused"]!.GetValue<bool>(), Is.False, resumed.ToString());
        foreach (var id in new[] { waited.Id, queued.Id, delayed.Id })
            Assert.That((await client.GetTaskAsync(circle, id, wait: 10)).TaskStatus, Is.EqualTo("completed"), id);
    }

    [Test]
    public async Task AWorkerProcess_StopsClaimingWhenThePauseIsTold_AndStartsAgainWhenTheResumeIs()
    {
        var circle = TestRedis.NewCircle("pause");
        // The idle poll is slow, so that only the told change can explain a prompt resume.
        await using var worker = await StartWorkerAsync(circle, idlePollMs: 60_000);
        await using var api = new GatewayFactory(new Dictionary<string, string?> { ["Gateway:Workers:Enabled"] = "false" });
        using var client = api.CreateClient();
        var before = await client.SubmitAsync(circle, new { script = "1" });
        Assert.That((await client.GetTaskAsync(circle, before.Id, wait: 30)).TaskStatus, Is.EqualTo("completed"), worker.Log);

        await PostAsync(client, $"/api/circles/{circle}/pause");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add((await client.SubmitAsync(circle, new { script = $"{i}" })).Id);
        await Task.Delay(Quiet);
        foreach (var id in ids)
            Assert.That((await client.GetTaskAsync(circle, id)).TaskStatus, Is.EqualTo("pending"), worker.Log);

        var clock = Stopwatch.StartNew();
        await PostAsync(client, $"/api/circles/{circle}/resume");
        foreach (var id in ids)
            Assert.That((await client.GetTaskAsync(circle, id, wait: 30)).TaskStatus, Is.EqualTo("completed"), worker.Log);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "resumed by the message, not by the 60 s poll");
    }

    /// <summary>
    /// The circle's flag is set as a pause sets it, but nobody is told and the list the copies
    /// read does not name it: no process's copy counts the circle paused, so only the scripts can
    /// keep its tasks waiting: the claims of a worker process, the Api's own slots for a waited
    /// submit, a completion that would claim the next task. The resume, told as usual, runs them.
    /// </summary>
    [Test]
    public async Task APauseNoProcessHasHeardOf_StillHoldsEveryClaim_ForTheScriptsReadItThemselves()
    {
        var circle = TestRedis.NewCircle("pause");
        await using var worker = await StartWorkerAsync(circle, idlePollMs: 200);
        await using var api = new GatewayFactory();
        using var client = api.CreateClient();
        var running = await client.SubmitAsync(circle, new { script = Scripts.BusyFor(800) });
        await client.WaitForStatusAsync(circle, running.Id, "processing");

        await TestRedis.Connection.GetDatabase().StringSetAsync(Gateway.Core.Redis.RedisKeys.PausedFlag(circle), "1");
        var waited = await client.SubmitAsync(circle, new { script = "'waited'" }, wait: 1);
        var queued = new List<string>();
        for (var i = 0; i < 3; i++)
            queued.Add((await client.SubmitAsync(circle, new { script = $"{i}", priority = i })).Id);

        Assert.That(waited.Status, Is.EqualTo(HttpStatusCode.Accepted), "the submitting process does not start it");
        Assert.That((await client.GetTaskAsync(circle, running.Id, wait: 10)).TaskStatus, Is.EqualTo("completed"), "the running task finishes");
        await Task.Delay(Quiet); // five idle polls of the worker process, each a claim the script refuses
        foreach (var id in queued.Prepend(waited.Id))
            Assert.That((await client.GetTaskAsync(circle, id)).TaskStatus, Is.EqualTo("pending"), worker.Log);
        var figures = await GatewayClient.ReadAsync(await client.GetAsync($"/api/circles/{circle}"));
        Assert.That(figures.Body!["paused"]!.GetValue<bool>(), Is.True, "the figures read the flag the scripts obey");

        await PostAsync(client, $"/api/circles/{circle}/resume");
        foreach (var id in queued.Prepend(waited.Id))
            Assert.That((await client.GetTaskAsync(circle, id, wait: 10)).TaskStatus, Is.EqualTo("completed"), worker.Log);
    }

    [Test]
    public async Task PauseAndResume_OfABadCircleName_Are400()
    {
        await using var api = new GatewayFactory();
        using var client = api.CreateClient();

        var response = await GatewayClient.ReadAsync(await client.PostAsync("/api/circles/not%20a%20circle/pause", null));

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest), response.ToString());
    }

    /// <summary>A worker process serving the circle alone, claiming at each idle poll.</summary>
    private static Task<HostProcess> StartWorkerAsync(string circle, int idlePollMs) =>
        HostProcess.StartWorkerAsync(new Dictionary<string, string>
        {
            ["Gateway:Workers:Circles:0"] = circle,
            ["Gateway:Workers:IdlePollMs"] = idlePollMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    private static async Task<ApiResponse> PostAsync(HttpClient client, string path)
    {
        var response = await GatewayClient.ReadAsync(await client.PostAsync(path, null));
        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK), response.ToString());
        return response;
    }
}
