using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Api;

/// <summary>Schedules through the REST API, fired by the Api's own in-process worker.</summary>
[TestFixture]
public sealed class ScheduleApiTests : ApiFixture
{
    private async Task<ApiResponse> Send(HttpMethod method, string url, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        return await GatewayClient.ReadAsync(await Client.SendAsync(request));
    }

    private Task<ApiResponse> PutAsync(string circle, string name, object body) => Send(HttpMethod.Put, $"/api/circles/{circle}/schedules/{name}", body);

    /// <summary>The circle's tasks made by the schedule, oldest first.</summary>
    private async Task<JsonNode[]> TasksOf(string circle, string schedule)
    {
        var list = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/tasks?limit=500"));
        return list.Body!["tasks"]!.AsArray().Select(t => t!).Where(t => t["scheduleName"]?.GetValue<string>() == schedule)
            .OrderBy(t => t["createdAt"]!.GetValue<DateTimeOffset>()).ToArray();
    }

    /// <summary>The first task the schedule fires (it is deleted then), once finished.</summary>
    private async Task<ApiResponse> FirstFiredTaskAsync(string circle, string schedule)
    {
        string? taskId = null;
        for (var tries = 0; tries < 100 && taskId is null; tries++)
        {
            await Task.Delay(100);
            taskId = (await Send(HttpMethod.Get, $"/api/circles/{circle}/schedules/{schedule}")).Body!["lastTaskId"]?.GetValue<string>();
        }
        await Send(HttpMethod.Delete, $"/api/circles/{circle}/schedules/{schedule}");
        Assert.That(taskId, Is.Not.Null, "the schedule never fired");
        return await Client.GetTaskAsync(circle, taskId!, wait: 30);
    }

    [Test]
    public async Task Put_CreatesThenReplaces_AndGetListDeleteShowIt()
    {
        var circle = TestRedis.NewCircle("sched");

        var created = await PutAsync(circle, "newyear", new { cron = "0 0 1 1 *", script = "'happy'", args = new { a = 1 } });
        var replaced = await PutAsync(circle, "newyear", new { cron = "0 9 1 1 *", timeZone = "Europe/Brussels", script = "'new year'", overlap = "allow" });
        var read = await Send(HttpMethod.Get, $"/api/circles/{circle}/schedules/newyear");
        var list = await Send(HttpMethod.Get, $"/api/circles/{circle}/schedules");
        var deleted = await Send(HttpMethod.Delete, $"/api/circles/{circle}/schedules/newyear");
        var gone = await Send(HttpMethod.Get, $"/api/circles/{circle}/schedules/newyear");

        Assert.That(created.Status, Is.EqualTo(HttpStatusCode.Created), created.ToString());
        Assert.That(created.Message.Headers.Location?.ToString(), Is.EqualTo($"/api/circles/{circle}/schedules/newyear"));
        var nextYear = DateTimeOffset.UtcNow.Year + 1;
        Assert.That(created.Body!["nextRunAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(new DateTimeOffset(nextYear, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.That(created.Body!["timeZone"]!.GetValue<string>(), Is.EqualTo("UTC"));
        Assert.That(created.Body!["overlap"]!.GetValue<string>(), Is.EqualTo("skip"));
        Assert.That(created.Body!["enabled"]!.GetValue<bool>(), Is.True);
        Assert.That(created.Body!["args"]!["a"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(created.Body!["lastRunAt"], Is.Null);
        Assert.That(created.Body!["lastTaskId"], Is.Null);

        Assert.That(replaced.Status, Is.EqualTo(HttpStatusCode.OK), replaced.ToString());
        // 09:00 in Brussels on 1 January is 08:00 UTC (winter time).
        Assert.That(read.Body!["nextRunAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(new DateTimeOffset(nextYear, 1, 1, 8, 0, 0, TimeSpan.Zero)), read.ToString());
        Assert.That(read.Body!["script"]!.GetValue<string>(), Is.EqualTo("'new year'"));
        Assert.That(read.Body!["overlap"]!.GetValue<string>(), Is.EqualTo("allow"));
        Assert.That(read.Body!["createdAt"]!.GetValue<string>(), Is.EqualTo(created.Body!["createdAt"]!.GetValue<string>()));
        Assert.That(list.Body!["schedules"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "newyear" }));
        Assert.That(deleted.Status, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(gone.Status, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase("{\"cron\":\"not a cron\",\"script\":\"1\"}", "cron")]
    [TestCase("{\"cron\":\"* * * *\",\"script\":\"1\"}", "cron")]
    [TestCase("{\"cron\":\"61 * * * *\",\"script\":\"1\"}", "cron")]
    [TestCase("{\"cron\":\"0 0 30 2 *\",\"script\":\"1\"}", "cron")]
    [TestCase("{\"script\":\"1\"}", "cron")]
    [TestCase("{\"cron\":\"* * * * *\",\"timeZone\":\"Mars/Olympus_Mons\",\"script\":\"1\"}", "timeZone")]
    [TestCase("{\"cron\":\"* * * * *\",\"timeZone\":\"Romance Standard Time\",\"script\":\"1\"}", "timeZone")]
    [TestCase("{\"cron\":\"* * * * *\",\"script\":\"1\",\"scriptName\":\"x\"}", "scriptName")]
    [TestCase("{\"cron\":\"* * * * *\"}", "script")]
    [TestCase("{\"cron\":\"* * * * *\",\"script\":\"1\",\"overlap\":\"sometimes\"}", "overlap")]
    [TestCase("{\"cron\":\"* * * * *\",\"script\":\"1\",\"timeoutMs\":0}", "timeoutMs")]
    [TestCase("{\"cron\":\"* * * * *\",\"script\":\"1\",\"language\":\"cobol\"}", "language")]
    [TestCase("{\"cron\":\"* * * * *\",\"script\":\"1\",\"enabled\":\"yes\"}", "enabled")]
    [TestCase("{\"cron\":\"* * * * *\",\"script\":\"1\",\"retry\":{\"attempts\":11}}", "retry.attempts")]
    [TestCase("{\"cron\":\"* * * * *\",\"script\":\"1\",\"retry\":{\"attempts\":1,\"factor\":0.5}}", "retry.factor")]
    public async Task Put_WithBadInput_Is400NamingTheField_AndStoresNothing(string body, string field)
    {
        var circle = TestRedis.NewCircle("sched");

        var response = await Client.SendRawAsync(HttpMethod.Put, $"/api/circles/{circle}/schedules/s", body);

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest), response.ToString());
        Assert.That(response.Message.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(response.Body!["detail"]!.GetValue<string>(), Does.Contain(field + ":"), response.ToString());
        var list = await Send(HttpMethod.Get, $"/api/circles/{circle}/schedules");
        Assert.That(list.Body!["schedules"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task Put_WithAnUnknownScriptName_Is404_AndStoresNothing()
    {
        var circle = TestRedis.NewCircle("sched");

        var response = await PutAsync(circle, "s", new { cron = "* * * * *", scriptName = "nobody" });

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.NotFound), response.ToString());
        Assert.That(response.Body!["errors"]!["scriptName"], Is.Not.Null);
        Assert.That((await Send(HttpMethod.Get, $"/api/circles/{circle}/schedules")).Body!["schedules"]!.AsArray(), Is.Empty);
    }

    [TestCase("javascript")]
    [TestCase("rhai")]
    public async Task ASchedule_OfARegisteredScript_FiresOrdinaryTasks_ThatSayWhereTheyCameFrom(string language)
    {
        var circle = TestRedis.NewCircle("sched");
        // The schedule names no language: its tasks run in the registered script's, as a submit by name does.
        var registered = await Send(HttpMethod.Put, $"/api/circles/{circle}/scripts/double", new { script = "args.n * 2", language });
        Assert.That(registered.Status, Is.EqualTo(HttpStatusCode.Created), registered.ToString());
        var schedule = await PutAsync(circle, "every-second", new { cron = "* * * * * *", scriptName = "double", args = new { n = 21 } });
        Assert.That(schedule.Body!["language"]!.GetValue<string>(), Is.EqualTo(language), "the schedule shows the language its firings run in");

        var task = await FirstFiredTaskAsync(circle, "every-second");

        Assert.That(task.TaskStatus, Is.EqualTo("completed"), task.ToString());
        Assert.That(task.Result!.GetValue<int>(), Is.EqualTo(42));
        Assert.That(task.Body!["scheduleName"]!.GetValue<string>(), Is.EqualTo("every-second"));
        Assert.That(task.Body!["caller"]!.GetValue<string>(), Is.EqualTo("schedule:every-second"));
        Assert.That(task.Body!["scriptName"]!.GetValue<string>(), Is.EqualTo("double"));
        Assert.That(task.Body!["scriptVersion"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(task.Body!["language"]!.GetValue<string>(), Is.EqualTo(language));
    }

    [Test]
    public async Task ASchedule_WithARetryPolicy_ShowsIt_AndEachFiredTaskRunsAgainAfterAScriptError()
    {
        var circle = TestRedis.NewCircle("sched");
        var put = await PutAsync(circle, "flaky", new
        {
            cron = "* * * * * *", script = "throw new Error('run ' + task.attempt)", retry = new { attempts = 2, backoffMs = 0 },
        });
        Assert.That(put.Status, Is.EqualTo(HttpStatusCode.Created), put.ToString());
        Assert.That(put.Body!["retry"]!["attempts"]!.GetValue<int>(), Is.EqualTo(2), put.ToString());
        Assert.That(put.Body!["retry"]!["backoffMs"]!.GetValue<long>(), Is.Zero);
        Assert.That(put.Body!["retry"]!["factor"]!.GetValue<double>(), Is.EqualTo(1), "the default filled in");

        var task = await FirstFiredTaskAsync(circle, "flaky");

        Assert.That(task.TaskStatus, Is.EqualTo("failed"), task.ToString());
        Assert.That(task.Body!["attempts"]!.GetValue<int>(), Is.EqualTo(3), "the first run and two retries: " + task);
        Assert.That(task.Body!["error"]!["message"]!.GetValue<string>(), Does.Contain("run 3"));
    }

    [TestCase("skip")]
    [TestCase("allow")]
    public async Task Overlap_WithATaskLongerThanThePeriod_SkipNeverRunsTwoAtOnce_AllowDoes(string overlap)
    {
        var circle = TestRedis.NewCircle("sched");
        var put = await PutAsync(circle, "slow", new { cron = "* * * * * *", script = Scripts.BusyFor(2500), timeoutMs = 10000, overlap });
        Assert.That(put.Status, Is.EqualTo(HttpStatusCode.Created), put.ToString());

        await Task.Delay(4500);
        await Send(HttpMethod.Delete, $"/api/circles/{circle}/schedules/slow");
        var tasks = await TasksOf(circle, "slow");
        foreach (var task in tasks)
            await Client.GetTaskAsync(circle, task["id"]!.GetValue<string>(), wait: 30);
        tasks = await TasksOf(circle, "slow");

        var runs = tasks.Select(t => (Created: t["createdAt"]!.GetValue<DateTimeOffset>(), Finished: t["finishedAt"]!.GetValue<DateTimeOffset>())).ToArray();
        var overlapping = runs.Zip(runs.Skip(1)).Count(p => p.Second.Created < p.First.Finished);
        var described = string.Join(", ", runs.Select(r => $"{r.Created:ss.fff}–{r.Finished:ss.fff}"));
        if (overlap == "skip")
        {
            Assert.That(runs, Has.Length.InRange(1, 2), described);
            Assert.That(overlapping, Is.Zero, described);
        }
        else
        {
            Assert.That(runs, Has.Length.InRange(3, 5), described);
            Assert.That(overlapping, Is.GreaterThan(0), described);
        }
    }

    [Test]
    public async Task Put_ASchedulesCircle_IsAKnownCircle()
    {
        var circle = TestRedis.NewCircle("sched");
        await Send(HttpMethod.Put, $"/api/circles/{circle}/schedules/s", new { cron = "0 0 1 1 *", script = "1" });

        var circles = await Send(HttpMethod.Get, "/api/circles");

        Assert.That(circles.Body!["circles"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()), Does.Contain(circle),
            "the workers' reaper serves only known circles; a schedule's tasks need it too");
    }
}
