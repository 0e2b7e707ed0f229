using System.Net;
using System.Net.Http.Json;
using Gateway.Core.Redis;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Api;

/// <summary>
/// Registered scripts: versions by content, submit by name and by version, delete. This fixture's
/// Api runs no workers, so a submitted task stays pending until a test starts a worker for its circle.
/// </summary>
[TestFixture]
public sealed class RegisteredScriptTests : ApiFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings =>
        new Dictionary<string, string?> { ["Gateway:Workers:Enabled"] = "false" };

    private Task<ApiResponse> PutAsync(string circle, string name, object body) =>
        Send(HttpMethod.Put, $"/api/circles/{circle}/scripts/{name}", body);

    private async Task<ApiResponse> Send(HttpMethod method, string url, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        return await GatewayClient.ReadAsync(await Client.SendAsync(request));
    }

    /// <summary>An Api with in-process workers serving only <paramref name="circle"/>.</summary>
    private static GatewayFactory WorkerFor(string circle) =>
        new(new Dictionary<string, string?> { ["Gateway:Workers:Circles:0"] = circle });

    [Test]
    public async Task Put_TheSameTextTwice_MakesOneVersion_AndNewTextMakesTheNext()
    {
        var circle = TestRedis.NewCircle("reg");

        var first = await PutAsync(circle, "double", new { script = "args.n * 2", description = "doubles n" });
        var again = await PutAsync(circle, "double", new { script = "args.n * 2" });
        var described = await PutAsync(circle, "double", new { script = "args.n * 2", description = "twice n" });
        var changed = await PutAsync(circle, "double", new { script = "args.n + args.n" });

        Assert.That(first.Status, Is.EqualTo(HttpStatusCode.Created), first.ToString());
        Assert.That(first.Message.Headers.Location?.ToString(), Is.EqualTo($"/api/circles/{circle}/scripts/double"));
        Assert.That(first.Body!["version"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(first.Body!["sha256"]!.GetValue<string>(), Is.EqualTo(ScriptRegistry.Sha256("args.n * 2")));
        Assert.That(first.Body!["description"]!.GetValue<string>(), Is.EqualTo("doubles n"));
        Assert.That(again.Status, Is.EqualTo(HttpStatusCode.OK), again.ToString());
        Assert.That(again.Body!["version"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(again.Body!["createdAt"]!.GetValue<string>(), Is.EqualTo(first.Body!["createdAt"]!.GetValue<string>()));
        Assert.That(again.Body!["description"]!.GetValue<string>(), Is.EqualTo("doubles n"), "a put without a description keeps it");
        Assert.That(described.Status, Is.EqualTo(HttpStatusCode.OK), described.ToString());
        Assert.That(described.Body!["version"]!.GetValue<int>(), Is.EqualTo(1), "a new description alone makes no new version");
        Assert.That(described.Body!["description"]!.GetValue<string>(), Is.EqualTo("twice n"));
        Assert.That(changed.Status, Is.EqualTo(HttpStatusCode.OK), changed.ToString());
        Assert.That(changed.Body!["version"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(changed.Body!["description"]!.GetValue<string>(), Is.EqualTo("twice n"), "a new version without a description keeps the latest's");

        var list = await Send(HttpMethod.Get, $"/api/circles/{circle}/scripts");
        var scripts = list.Body!["scripts"]!.AsArray();
        Assert.That(scripts, Has.Count.EqualTo(1), list.ToString());
        Assert.That(scripts[0]!["version"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(scripts[0]!["script"], Is.Null, "a listing leaves the text out");

        var v1 = await Send(HttpMethod.Get, $"/api/circles/{circle}/scripts/double?version=1");
        Assert.That(v1.Body!["script"]!.GetValue<string>(), Is.EqualTo("args.n * 2"), v1.ToString());
        Assert.That(v1.Body!["description"]!.GetValue<string>(), Is.EqualTo("twice n"), v1.ToString());
        var latest = await Send(HttpMethod.Get, $"/api/circles/{circle}/scripts/double");
        Assert.That(latest.Body!["script"]!.GetValue<string>(), Is.EqualTo("args.n + args.n"), latest.ToString());
        var missing = await Send(HttpMethod.Get, $"/api/circles/{circle}/scripts/double?version=3");
        Assert.That(missing.Status, Is.EqualTo(HttpStatusCode.NotFound), missing.ToString());
    }

    [Test]
    public async Task Submit_ByName_RunsTheLatest_AndByVersion_RunsThatVersion()
    {
        var circle = TestRedis.NewCircle("reg");
        await PutAsync(circle, "calc", new { script = "args.n * 2" });
        await PutAsync(circle, "calc", new { script = "args.n * 3" });
        await using var worker = WorkerFor(circle);
        using var client = worker.CreateClient();

        var latest = await client.SubmitAsync(circle, new { scriptName = "calc", args = new { n = 5 } }, wait: 30);
        var pinned = await client.SubmitAsync(circle, new { scriptName = "calc", scriptVersion = 1, args = new { n = 5 } }, wait: 30);

        Assert.That(latest.TaskStatus, Is.EqualTo("completed"), latest.ToString());
        Assert.That(latest.Result!.GetValue<int>(), Is.EqualTo(15));
        Assert.That(latest.Body!["scriptName"]!.GetValue<string>(), Is.EqualTo("calc"));
        Assert.That(latest.Body!["scriptVersion"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(pinned.Result!.GetValue<int>(), Is.EqualTo(10), pinned.ToString());
        Assert.That(pinned.Body!["scriptVersion"]!.GetValue<int>(), Is.EqualTo(1));
        var read = await client.GetTaskAsync(circle, pinned.Id);
        Assert.That(read.Body!["scriptName"]!.GetValue<string>(), Is.EqualTo("calc"), "a later read shows the same fields");
        Assert.That(read.Body!["scriptVersion"]!.GetValue<int>(), Is.EqualTo(1));

        var batch = await GatewayClient.ReadAsync(await client.PostAsJsonAsync($"/api/circles/{circle}/tasks/batch",
            new { tasks = new object[] { new { scriptName = "calc", args = new { n = 1 } }, new { script = "7" } } }));
        Assert.That(batch.Status, Is.EqualTo(HttpStatusCode.Accepted), batch.ToString());
        var named = batch.Body!["tasks"]![0]!;
        Assert.That(named["scriptName"]!.GetValue<string>(), Is.EqualTo("calc"));
        Assert.That(batch.Body!["tasks"]![1]!["scriptName"], Is.Null);
        var done = await client.GetTaskAsync(circle, named["id"]!.GetValue<string>(), wait: 30);
        Assert.That(done.Result!.GetValue<int>(), Is.EqualTo(3), done.ToString());
    }

    [Test]
    public async Task Delete_ThenSubmitByName_Is404_AndATaskSubmittedBeforeStillRuns()
    {
        var circle = TestRedis.NewCircle("reg");
        await PutAsync(circle, "gone", new { script = "'ran ' + args.x" });
        var before = await Client.SubmitAsync(circle, new { scriptName = "gone", args = new { x = 1 } });
        Assert.That(before.Status, Is.EqualTo(HttpStatusCode.Accepted), before.ToString());

        var deleted = await Send(HttpMethod.Delete, $"/api/circles/{circle}/scripts/gone");
        var after = await Client.SubmitAsync(circle, new { scriptName = "gone" });
        var batch = await GatewayClient.ReadAsync(await Client.PostAsJsonAsync($"/api/circles/{circle}/tasks/batch",
            new { tasks = new object[] { new { script = "1" }, new { scriptName = "gone" } } }));
        var deletedAgain = await Send(HttpMethod.Delete, $"/api/circles/{circle}/scripts/gone");
        var read = await Send(HttpMethod.Get, $"/api/circles/{circle}/scripts/gone");

        Assert.That(deleted.Status, Is.EqualTo(HttpStatusCode.NoContent), deleted.ToString());
        Assert.That(after.Status, Is.EqualTo(HttpStatusCode.NotFound), after.ToString());
        Assert.That(after.Body!["errors"]!["scriptName"], Is.Not.Null, after.ToString());
        Assert.That(batch.Status, Is.EqualTo(HttpStatusCode.NotFound), batch.ToString());
        Assert.That(batch.Body!["errors"]!["tasks[1].scriptName"], Is.Not.Null, batch.ToString());
        Assert.That(deletedAgain.Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(read.Status, Is.EqualTo(HttpStatusCode.NotFound));
        var figures = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}"));
        Assert.That(figures.Body!["recent"]!.GetValue<long>(), Is.EqualTo(1), "the refused submits stored nothing");

        await using var worker = WorkerFor(circle);
        using var client = worker.CreateClient();
        var ran = await client.GetTaskAsync(circle, before.Id, wait: 30);
        Assert.That(ran.TaskStatus, Is.EqualTo("completed"), ran.ToString());
        Assert.That(ran.Result!.GetValue<string>(), Is.EqualTo("ran 1"));
    }

    [TestCase("{\"script\":\"1\",\"scriptName\":\"x\"}", "scriptName")]
    [TestCase("{\"scriptName\":\"bad name\"}", "scriptName")]
    [TestCase("{\"scriptName\":\"x\",\"scriptVersion\":0}", "scriptVersion")]
    [TestCase("{\"script\":\"1\",\"scriptVersion\":2}", "scriptVersion")]
    public async Task Submit_WithBadScriptFields_Is400NamingTheField(string body, string field)
    {
        var circle = TestRedis.NewCircle("reg");
        var response = await Client.SendRawAsync(HttpMethod.Post, $"/api/circles/{circle}/tasks", body);

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest), response.ToString());
        Assert.That(response.Body!["errors"]![field], Is.Not.Null, response.ToString());
    }

    [TestCase("{\"scriptName\":\"nobody\"}", "scriptName")]
    [TestCase("{\"scriptName\":\"known\",\"scriptVersion\":2}", "scriptName")]
    public async Task Submit_WithAnUnknownScript_Is404_AndStoresNothing(string body, string field)
    {
        var circle = TestRedis.NewCircle("reg");
        await PutAsync(circle, "known", new { script = "1" });

        var response = await Client.SendRawAsync(HttpMethod.Post, $"/api/circles/{circle}/tasks", body);

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.NotFound), response.ToString());
        Assert.That(response.Message.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(response.Body!["errors"]![field], Is.Not.Null, response.ToString());
        var figures = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}"));
        Assert.That(figures.Body!["recent"]!.GetValue<long>(), Is.Zero);
    }

    [TestCase("bad%20name", "{\"script\":\"1\"}", "name")]
    [TestCase("ok", "{\"script\":\"\"}", "script")]
    [TestCase("ok", "{\"script\":\"1\",\"language\":\"cobol\"}", "language")]
    public async Task Put_WithBadInput_Is400NamingTheField_AndStoresNothing(string name, string body, string field)
    {
        var circle = TestRedis.NewCircle("reg");

        var response = await Client.SendRawAsync(HttpMethod.Put, $"/api/circles/{circle}/scripts/{name}", body);

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest), response.ToString());
        Assert.That(response.Body!.ToJsonString(), Does.Contain(field));
        var list = await Send(HttpMethod.Get, $"/api/circles/{circle}/scripts");
        Assert.That(list.Body!["scripts"]!.AsArray(), Is.Empty);
    }

    [Test]
    public void ParseCache_KeyedByTheText_ParsesARegisteredScriptOncePerProcess()
    {
        // Every task submitted by name carries the same text, so the worker's cache (keyed by the text) parses it once.
        var cache = new Gateway.Scripting.Sandbox.ScriptCache(capacity: 10);
        var text = "args.n * 2";

        cache.Get(text);
        cache.Get(new string(text.AsSpan())); // the same text read again from Redis: another string instance
        var afterSame = cache.Count;
        cache.Get("args.n * 3");

        Assert.That(afterSame, Is.EqualTo(1));
        Assert.That(cache.Count, Is.EqualTo(2));
    }
}
