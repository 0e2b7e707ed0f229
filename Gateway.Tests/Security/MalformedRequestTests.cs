using System.Net;
using System.Text;
using Gateway.Core.Redis;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Security;

/// <summary>One malformed request: where it goes, what it carries, and the 4xx it must get.</summary>
public sealed record Malformed(string Name, string Method, string Path, byte[]? Body, string? ContentType, int Expected)
{
    public static Malformed Post(string name, string body, int expected = 400, string? path = null, string? contentType = "application/json") =>
        new(name, "POST", path ?? "/api/circles/{circle}/tasks", Encoding.UTF8.GetBytes(body), contentType, expected);

    public static Malformed Get(string name, string path, int expected) => new(name, "GET", path, null, null, expected);

    public override string ToString() => Name;
}

/// <summary>
/// Malformed requests through the real pipeline: each gets a 4xx ProblemDetails (never a 5xx),
/// the server goes on serving, and Redis holds nothing of the request afterwards.
/// </summary>
[TestFixture]
public sealed class MalformedRequestTests : ApiFixture
{
    public static IEnumerable<Malformed> Cases()
    {
        // Wrong types and numbers.
        yield return Malformed.Post("timeoutMs negative", """{"script":"1","timeoutMs":-5}""");
        yield return Malformed.Post("timeoutMs huge", """{"script":"1","timeoutMs":10000000000}""");
        yield return Malformed.Post("timeoutMs fractional", """{"script":"1","timeoutMs":1.5}""");
        yield return Malformed.Post("timeoutMs boolean", """{"script":"1","timeoutMs":true}""");
        yield return Malformed.Post("timeoutMs 1e309", """{"script":"1","timeoutMs":1e309}""");
        yield return Malformed.Post("script array", """{"script":[]}""");
        yield return Malformed.Post("script object", """{"script":{}}""");
        yield return Malformed.Post("script null", """{"script":null}""");
        yield return Malformed.Post("language number", """{"script":"1","language":7}""");
        // Shapes that are not a submit.
        yield return Malformed.Post("empty body", "");
        yield return Malformed.Post("whitespace body", "   ");
        yield return Malformed.Post("array body", "[]");
        yield return Malformed.Post("string body", "\"1+1\"");
        yield return Malformed.Post("number body", "123");
        yield return Malformed.Post("truncated JSON", """{"script":"1""");
        yield return Malformed.Post("duplicate keys", """{"script":"1","script":"2"}""");
        yield return Malformed.Post("args nested 100,000 deep", "{\"script\":\"1\",\"args\":" + new string('[', 100_000) + new string(']', 100_000) + "}");
        yield return new("invalid UTF-8", "POST", "/api/circles/{circle}/tasks", [(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}'], "application/json", 400);
        yield return Malformed.Post("comment in JSON", """{"script":"1" /* no */}""");
        yield return Malformed.Post("trailing comma", """{"script":"1",}""");
        // Wrong content types.
        yield return Malformed.Post("text/plain", """{"script":"1"}""", 415, contentType: "text/plain");
        yield return Malformed.Post("application/xml", "<script>1</script>", 415, contentType: "application/xml");
        yield return Malformed.Post("no content type", """{"script":"1"}""", 415, contentType: null);
        yield return Malformed.Post("form", "script=1", 415, contentType: "application/x-www-form-urlencoded");
        // Circle names and ids that must never reach a key.
        yield return Malformed.Post("unicode circle", """{"script":"1"}""", path: "/api/circles/%C3%BCmlaut/tasks");
        yield return Malformed.Post("dot-dot circle", """{"script":"1"}""", path: "/api/circles/..%2Fetc/tasks");
        yield return Malformed.Post("control character in circle", """{"script":"1"}""", path: "/api/circles/a%01b/tasks");
        yield return Malformed.Post("space in circle", """{"script":"1"}""", path: "/api/circles/a%20b/tasks");
        yield return Malformed.Post("star circle", """{"script":"1"}""", path: "/api/circles/*/tasks");
        yield return Malformed.Post("hash-tag braces in circle", """{"script":"1"}""", path: "/api/circles/a%7Bb%7D/tasks");
        yield return Malformed.Get("dot-dot id", "/api/circles/{circle}/tasks/..%2F..%2Fqueue", 404);
        yield return Malformed.Get("unicode id", "/api/circles/{circle}/tasks/%C3%A9t%C3%A9", 404);
        yield return Malformed.Get("33-digit id", "/api/circles/{circle}/tasks/0123456789abcdef0123456789abcdef0", 404);
        yield return Malformed.Get("uppercase id", "/api/circles/{circle}/tasks/0123456789ABCDEF0123456789ABCDEF", 404);
        yield return Malformed.Get("key-pattern id", "/api/circles/{circle}/tasks/*", 404);
        // Query strings.
        yield return Malformed.Get("wait Infinity", "/api/circles/{circle}/tasks/0123456789abcdef0123456789abcdef?wait=Infinity", 400);
        yield return Malformed.Get("wait hex", "/api/circles/{circle}/tasks/0123456789abcdef0123456789abcdef?wait=0x10", 400);
        yield return Malformed.Get("wait empty", "/api/circles/{circle}/tasks/0123456789abcdef0123456789abcdef?wait=", 400);
        yield return Malformed.Get("wait 1e309", "/api/circles/{circle}/tasks/0123456789abcdef0123456789abcdef?wait=1e309", 400);
        yield return Malformed.Get("limit text", "/api/circles/{circle}/tasks?limit=abc", 400);
        yield return Malformed.Get("limit negative", "/api/circles/{circle}/tasks?limit=-1", 400);
        yield return Malformed.Get("limit huge", "/api/circles/{circle}/tasks?limit=99999999999", 400);
        yield return Malformed.Get("status in capitals", "/api/circles/{circle}/tasks?status=PENDING", 400);
        // Batches.
        yield return Malformed.Post("batch without tasks", "{}", path: "/api/circles/{circle}/tasks/batch");
        yield return Malformed.Post("batch empty", """{"tasks":[]}""", path: "/api/circles/{circle}/tasks/batch");
        yield return Malformed.Post("batch of null", """{"tasks":[null]}""", path: "/api/circles/{circle}/tasks/batch");
        yield return Malformed.Post("batch with one bad entry", """{"tasks":[{"script":"1"},{"script":""}]}""", path: "/api/circles/{circle}/tasks/batch");
        yield return Malformed.Post("batch of 1001", "{\"tasks\":[" + string.Join(',', Enumerable.Repeat("{\"script\":\"1\"}", 1001)) + "]}", path: "/api/circles/{circle}/tasks/batch");
        yield return Malformed.Post("batch tasks not an array", """{"tasks":{"script":"1"}}""", path: "/api/circles/{circle}/tasks/batch");
        // Methods and routes.
        yield return new("PUT on tasks", "PUT", "/api/circles/{circle}/tasks", Encoding.UTF8.GetBytes("{}"), "application/json", 405);
        yield return Malformed.Get("unknown route", "/api/nothing-here", 404);
    }

    [TestCaseSource(nameof(Cases))]
    public async Task MalformedRequest_Gets4xxProblemDetails_AndLeavesNothingInRedis(Malformed request)
    {
        var circle = TestRedis.NewCircle("bad");
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path.Replace("{circle}", circle, StringComparison.Ordinal));
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            if (request.ContentType is not null)
                message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(request.ContentType);
        }
        var response = await GatewayClient.ReadAsync(await Client.SendAsync(message));

        Assert.That((int)response.Status, Is.EqualTo(request.Expected), response.ToString());
        Assert.That(response.Message.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), response.ToString());
        var db = TestRedis.Connection.GetDatabase();
        Assert.That(await db.KeyExistsAsync(RedisKeys.Queue(circle)), Is.False, "no task was queued");
        Assert.That(await db.KeyExistsAsync(RedisKeys.Index(circle)), Is.False, "no task was recorded");

        var healthy = await Client.SubmitAsync(circle + "-ok", new { script = "40 + 2" }, wait: 10);
        Assert.That(healthy.Result!.GetValue<double>(), Is.EqualTo(42), "the server goes on serving");
    }

    [Test]
    public async Task OversizedHeaders_AreRefusedByKestrel_AndTheServerGoesOn()
    {
        await using var api = await HostProcess.StartAsync("Gateway.Api", new Dictionary<string, string> { ["Gateway:Workers:Enabled"] = "false" });
        using var client = api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/circles");
        request.Headers.Add("X-Padding", new string('x', 40 * 1024));

        var response = await client.SendAsync(request);

        Assert.That((int)response.StatusCode, Is.EqualTo(431));
        Assert.That((await client.GetAsync("/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
