using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.Tests.Infrastructure;
using NJsonSchema;

namespace Gateway.Tests.Contract;

/// <summary>One request and its response, as a validating proxy would see it.</summary>
public sealed record Exchange(string Method, string Path, int Status, string? MediaType, string Body)
{
    public override string ToString() => $"{Method} {Path} → {Status} {MediaType}";
}

/// <summary>Records every exchange of the client it is the handler of.</summary>
public sealed class RecordingHandler : DelegatingHandler
{
    public List<Exchange> Exchanges { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        lock (Exchanges)
        {
            Exchanges.Add(new Exchange(request.Method.Method, request.RequestUri!.AbsolutePath, (int)response.StatusCode,
                response.Content.Headers.ContentType?.MediaType, body));
        }
        return response;
    }
}

/// <summary>
/// A realistic workload — successes and every kind of refusal — through the real pipeline; each
/// response must be declared by the document (path, method, status, media type) and its body
/// must validate against the declared schema.
/// </summary>
[TestFixture]
public sealed class RecordedWorkloadTests : ApiFixture
{
    private const string Key = "workload-key-0123456789";
    private readonly string _circle = TestRedis.NewCircle("workload");
    private readonly string _other = TestRedis.NewCircle("workload-other");

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Gateway:Auth:ApiKeys:0:Name"] = "workload",
        ["Gateway:Auth:ApiKeys:0:Key"] = Key,
        ["Gateway:Auth:ApiKeys:0:Circles:0"] = _circle,
        // Small body limits, so that a 413 costs little to provoke.
        ["Gateway:Limits:MaxScriptBytes"] = "4096",
        ["Gateway:Limits:MaxArgsBytes"] = "4096",
    };

    [Test]
    public async Task EveryResponseOfTheWorkload_IsDeclared_AndValidatesAgainstTheDocument()
    {
        var recorder = new RecordingHandler();
        using var client = Factory.CreateDefaultClient(recorder);
        client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        using var anonymous = Factory.CreateDefaultClient(recorder);

        await RunWorkloadAsync(client, anonymous);

        var document = await ContractDocument.FetchAsync(Client);
        var parsed = await NSwag.OpenApiDocument.FromJsonAsync(document.Json);
        var exchanges = recorder.Exchanges.ToArray();
        var problems = new List<string>();
        foreach (var exchange in exchanges)
            problems.AddRange(Check(exchange, document, parsed).Select(p => $"{exchange}: {p}"));

        Assert.That(problems, Is.Empty, string.Join("\n", problems));
        Assert.That(exchanges, Has.Length.GreaterThan(30));
        Assert.That(exchanges.Select(e => e.Status).Distinct(),
            Is.SupersetOf(new[] { 200, 202, 400, 401, 403, 404, 409, 413, 415 }));
    }

    /// <summary>The check itself is worth something only if it refuses what a validating proxy refuses.</summary>
    [Test]
    public async Task TheCheck_RefusesUndeclaredStatuses_WrongMediaTypes_AndBodiesOffTheSchema()
    {
        var document = await ContractDocument.FetchAsync(Client);
        var parsed = await NSwag.OpenApiDocument.FromJsonAsync(document.Json);
        var task = $"/api/circles/{_circle}/tasks/0123456789abcdef0123456789abcdef";
        const string Good = """
            {"id":"0123456789abcdef0123456789abcdef","circle":"c","status":"failed","result":null,
             "error":{"code":"script_error","message":"m","line":1,"column":null},"output":"","attempts":1,
             "createdAt":"2026-01-01T00:00:00.000Z","startedAt":null,"finishedAt":null,"durationMs":null,"workerId":null,"caller":null,"priority":0,"runAt":null,"retryOf":null,"scriptName":null,"scriptVersion":null,"scheduleName":null,"retriedBy":null,"language":"javascript"}
            """;

        Assert.That(Check(new Exchange("GET", task, 200, "application/json", Good), document, parsed), Is.Empty);
        Assert.That(Check(new Exchange("GET", "/api/workers", 404, "application/problem+json", "{}"), document, parsed), Is.Not.Empty);
        Assert.That(Check(new Exchange("GET", task, 200, "text/html", "<p>"), document, parsed), Is.Not.Empty);
        Assert.That(Check(new Exchange("GET", task, 200, "application/json", Good.Replace("\"failed\"", "\"finished\"", StringComparison.Ordinal)), document, parsed), Is.Not.Empty);
        Assert.That(Check(new Exchange("GET", task, 200, "application/json", Good.Replace("script_error", "oops", StringComparison.Ordinal)), document, parsed), Is.Not.Empty);
        Assert.That(Check(new Exchange("GET", task, 200, "application/json", Good.Replace("\"attempts\":1", "\"attempts\":null", StringComparison.Ordinal)), document, parsed), Is.Not.Empty);
        Assert.That(Check(new Exchange("GET", task, 200, "application/json", Good.Replace("\"output\":\"\",", "", StringComparison.Ordinal)), document, parsed), Is.Not.Empty);
        Assert.That(Check(new Exchange("GET", "/nowhere", 200, null, ""), document, parsed), Is.Not.Empty);
    }

    private static IEnumerable<string> Check(Exchange exchange, ContractDocument document, NSwag.OpenApiDocument parsed)
    {
        var template = document.TemplateOf(exchange.Path);
        if (template is null)
        {
            yield return "no path of the document matches";
            yield break;
        }
        if (!parsed.Paths[template].TryGetValue(exchange.Method.ToLowerInvariant(), out var operation))
        {
            yield return $"{template} has no {exchange.Method}";
            yield break;
        }
        if (!operation.ActualResponses.TryGetValue(exchange.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response))
        {
            yield return $"status {exchange.Status} is not declared for {exchange.Method} {template}";
            yield break;
        }
        if (exchange.Body.Length == 0)
            yield break;
        if (exchange.MediaType is null || !response.Content.TryGetValue(exchange.MediaType, out var content))
        {
            yield return $"media type {exchange.MediaType} is not declared (declared: {string.Join(", ", response.Content.Keys)})";
            yield break;
        }
        if (exchange.MediaType == "text/event-stream")
        {
            if (!exchange.Body.StartsWith("event: status", StringComparison.Ordinal))
                yield return "an event stream that does not start with a status event";
            yield break;
        }
        var json = exchange.MediaType.EndsWith("json", StringComparison.Ordinal) ? exchange.Body : JsonSerializer.Serialize(exchange.Body);
        foreach (var error in content.Schema.ActualSchema.Validate(json, SchemaType.OpenApi3))
            yield return $"{error.Path}: {error.Kind} ({error.Property}) in {Shorten(exchange.Body)}";
    }

    private static string Shorten(string body) => body.Length > 300 ? body[..300] + "…" : body;

    /// <summary>What a service and an operator do in a day, including their mistakes.</summary>
    private async Task RunWorkloadAsync(HttpClient client, HttpClient anonymous)
    {
        var tasks = $"/api/circles/{_circle}/tasks";

        // Submits: waited, queued, as a script body, with an idempotency key, failing.
        var done = await client.PostAsJsonAsync(tasks + "?wait=10", new { script = "args.a + args.b", args = new { a = 1, b = 2 }, timeoutMs = 2000 });
        Assert.That(done.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var doneId = (await done.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var queued = await client.PostAsJsonAsync(tasks, new { script = "({ list: [1, 'two', null], nested: { ok: true } })" });
        var queuedId = (await queued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await client.PostAsync(tasks, new StringContent("console.log('from a file'); 6 * 7", Encoding.UTF8, "application/javascript"));
        await client.PostAsJsonAsync(tasks + "?wait=10", new { script = "null" });
        await client.PostAsJsonAsync(tasks + "?wait=10", new { script = "throw new Error('bad input')" });
        await client.PostAsJsonAsync(tasks + "?wait=10", new { script = "let x = ;" });
        await client.PostAsJsonAsync(tasks + "?wait=10", new { script = "while (true) {}", timeoutMs = 50 });
        using (var first = new HttpRequestMessage(HttpMethod.Post, tasks) { Content = JsonContent.Create(new { script = "'once'" }) })
        {
            first.Headers.Add("Idempotency-Key", "order-42");
            await client.SendAsync(first);
        }
        using (var replay = new HttpRequestMessage(HttpMethod.Post, tasks + "?wait=5") { Content = JsonContent.Create(new { script = "'once'" }) })
        {
            replay.Headers.Add("Idempotency-Key", "order-42");
            await client.SendAsync(replay);
        }
        using (var conflict = new HttpRequestMessage(HttpMethod.Post, tasks) { Content = JsonContent.Create(new { script = "'another'" }) })
        {
            conflict.Headers.Add("Idempotency-Key", "order-42");
            Assert.That((await client.SendAsync(conflict)).StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        }

        // Batches.
        await client.PostAsJsonAsync(tasks + "/batch", new { tasks = new object[] { new { script = "1" }, new { script = "'two'", args = new[] { 2 } } } });
        await client.PostAsJsonAsync(tasks + "/batch", new { tasks = new object[] { new { script = "1" }, new { script = "" } } });

        // Reads, long polls, lists, events.
        await client.GetAsync($"{tasks}/{doneId}");
        await client.GetAsync($"{tasks}/{queuedId}?wait=10");
        await client.GetAsync($"{tasks}/0123456789abcdef0123456789abcdef");
        await client.GetAsync($"{tasks}/not-an-id");
        await client.GetAsync(tasks);
        await client.GetAsync(tasks + "?status=completed&limit=5");
        await client.GetAsync(tasks + "?status=FINISHED");
        await client.GetAsync($"{tasks}/{doneId}/events");
        await client.GetAsync($"{tasks}/0123456789abcdef0123456789abcdef/events");

        // Cancels: a running task, the same one again, an unknown one.
        var running = await client.PostAsJsonAsync(tasks, new { script = "while (true) {}", timeoutMs = 30_000 });
        var runningId = (await running.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await client.DeleteAsync($"{tasks}/{runningId}");
        await client.GetAsync($"{tasks}/{runningId}?wait=10");
        Assert.That((await client.DeleteAsync($"{tasks}/{runningId}")).StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        await client.DeleteAsync($"{tasks}/0123456789abcdef0123456789abcdef");

        // Mistakes: wrong media type, too large, bad wait, bad circle name.
        await client.PostAsync(tasks, new StringContent("""{"script":"1"}""", Encoding.UTF8, "text/plain"));
        await client.PostAsync(tasks, new StringContent("{\"script\":\"1\",\"args\":\"" + new string('x', 200_000) + "\"}", Encoding.UTF8, "application/json"));
        await client.PostAsJsonAsync(tasks + "?wait=999", new { script = "1" });
        await client.GetAsync("/api/circles/bad%20name/tasks");

        // Circles, domain views, workers, health.
        await client.GetAsync("/api/circles");
        await client.GetAsync($"/api/circles/{_circle}");
        await client.PostAsync($"/api/circles/{_circle}/pause", null);
        await client.PostAsync($"/api/circles/{_circle}/resume", null);
        await client.PostAsync($"/api/circles/{_other}/pause", null);
        await client.PostAsync($"/api/circles/{_circle}/drain?scheduled=true", null);
        await client.PostAsync($"/api/circles/{_circle}/drain?scheduled=perhaps", null);
        await client.PostAsync($"/api/circles/{_other}/drain", null);
        await client.PostAsync($"{tasks}/retry?limit=5", null);
        await client.PostAsync($"{tasks}/retry?limit=none", null);
        await client.GetAsync($"{tasks}?limit=1&status=completed");
        await client.GetAsync($"{tasks}?before=not-an-id");
        await client.GetAsync($"/api/circles/{_circle}/contracts");
        await client.GetAsync($"/api/circles/{_circle}/contracts/1");
        await client.GetAsync("/api/workers");
        await client.GetAsync("/api/health");
        await anonymous.GetAsync("/api/health");
        await anonymous.GetAsync("/health/live");
        await anonymous.GetAsync("/health/ready");

        // Auth refusals.
        await anonymous.PostAsJsonAsync(tasks, new { script = "1" });
        await client.PostAsJsonAsync($"/api/circles/{_other}/tasks", new { script = "1" });
    }
}
