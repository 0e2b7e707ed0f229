using Gateway.Tests;
using System.Net;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Api;

[TestFixture]
public sealed class BadInputTests : ApiFixture
{
    private static void AssertProblem(ApiResponse response, HttpStatusCode status, string mentions)
    {
        Assert.That(response.Status, Is.EqualTo(status), response.ToString());
        Assert.That(response.Message.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(response.Body!["status"]!.GetValue<int>(), Is.EqualTo((int)status));
        Assert.That(response.Body!.ToJsonString(), Does.Contain(mentions));
    }

    [TestCase("{\"script\":\"\"}", "script")]
    [TestCase("{\"script\":\"   \"}", "script")]
    [TestCase("{\"args\":{}}", "script")]
    [TestCase("{\"script\":\"1\",\"timeoutMs\":0}", "timeoutMs")]
    [TestCase("{\"script\":\"1\",\"timeoutMs\":60001}", "timeoutMs")]
    [TestCase("{\"script\":\"1\",\"timeoutMs\":\"soon\"}", "timeoutMs")]
    [TestCase("{\"script\":\"1\",\"language\":\"python\"}", "language")]
    [TestCase("{\"script\":\"1\",\"delayMs\":-1}", "delayMs")]
    [TestCase("{\"script\":\"1\",\"delayMs\":9223372036854775807}", "delayMs")]
    [TestCase("{\"script\":42}", "script")]
    [TestCase("{\"script\":\"1\",", "$")]
    [TestCase("not json", "$")]
    [TestCase("null", "$")]
    public async Task InvalidBody_Is400NamingTheField(string body, string field)
    {
        var circle = TestRedis.NewCircle();
        var response = await Client.SendRawAsync(HttpMethod.Post, $"/api/circles/{circle}/tasks", body);

        AssertProblem(response, HttpStatusCode.BadRequest, field);
        var figures = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}"));
        Assert.That(figures.Body!["recent"]!.GetValue<long>(), Is.Zero, "a rejected request leaves nothing behind");
    }

    [TestCase("tasks", "{\"script\":\"1\",\"priority\":\"high\"}", "priority", "priority must be a whole number from")]
    [TestCase("tasks", "{\"script\":\"1\",\"priority\":1.5}", "priority", "priority must be a whole number from")]
    [TestCase("tasks", "{\"script\":\"1\",\"timeoutMs\":720000000000000}", "timeoutMs", "timeoutMs must be a whole number from -2147483648 to 2147483647.")]
    [TestCase("tasks", "{\"script\":\"1\",\"delayMs\":1e30}", "delayMs", "delayMs must be a whole number from")]
    [TestCase("tasks", "{\"script\":\"1\",\"runAt\":\"tomorrow\"}", "runAt", "runAt must be a date and time in ISO 8601")]
    [TestCase("tasks", "{\"script\":\"1\",\"retry\":{\"factor\":\"x\"}}", "retry.factor", "retry.factor must be a number.")]
    [TestCase("tasks", "{\"script\":\"1\",\"retry\":[1]}", "retry", "retry must be a JSON object.")]
    [TestCase("tasks", "{\"script\":true}", "script", "script must be a string.")]
    [TestCase("tasks", "[]", "$", "The body must be a JSON object.")]
    [TestCase("tasks", "{\"script\":\"1\",\"script\":\"2\"}", "script", "script is given more than once.")]
    [TestCase("tasks", "{\"script\":\"1\",\"args\":{\"x\":1,\"x\":2}}", "args", "args has the property 'x' more than once.")]
    [TestCase("tasks/batch", "{\"tasks\":[{\"script\":\"1\"},{\"script\":\"1\",\"timeoutMs\":\"x\"}]}", "tasks[1].timeoutMs", "tasks[1].timeoutMs must be a whole number from")]
    [TestCase("tasks/batch", "{\"tasks\":{\"a\":1}}", "tasks", "tasks must be an array.")]
    [TestCase("tasks/batch", "{\"tasks\":[5]}", "tasks[0]", "tasks[0] must be a JSON object.")]
    public async Task ValueOfTheWrongJsonType_IsExplainedInTheContractsWords(string resource, string body, string field, string says)
    {
        var circle = TestRedis.NewCircle();
        var response = await Client.SendRawAsync(HttpMethod.Post, $"/api/circles/{circle}/{resource}", body);

        AssertProblem(response, HttpStatusCode.BadRequest, field);
        var errors = response.Body!["errors"]!.AsObject();
        Assert.That(errors.Select(e => e.Key), Is.EqualTo(new[] { field }), response.ToString());
        Assert.That(errors[field]![0]!.GetValue<string>(), Does.StartWith(says));
        Assert.That(response.Body!["detail"]!.GetValue<string>(), Does.Not.Contain("Gateway.").And.Not.Contain("System."), "no .NET type names");
        var figures = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}"));
        Assert.That(figures.Body!["recent"]!.GetValue<long>(), Is.Zero, "a rejected request leaves nothing behind");
    }

    [TestCase("bad!")]
    [TestCase("-leading-dash")]
    [TestCase("a.b")]
    [TestCase("toolong-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task BadCircleName_Is400(string circle)
    {
        var response = await Client.SendRawAsync(HttpMethod.Post, $"/api/circles/{Uri.EscapeDataString(circle)}/tasks", "{\"script\":\"1\"}");

        AssertProblem(response, HttpStatusCode.BadRequest, "circle");
    }

    [TestCase("61")]
    [TestCase("-1")]
    [TestCase("soon")]
    [TestCase("1e309")]
    [TestCase("NaN")]
    public async Task WaitOutOfRange_Is400(string wait)
    {
        var response = await Client.SendRawAsync(HttpMethod.Post, $"/api/circles/{TestRedis.NewCircle()}/tasks?wait={wait}", "{\"script\":\"1\"}");

        AssertProblem(response, HttpStatusCode.BadRequest, "wait");
    }

    [Test]
    public async Task ScriptOverTheSizeLimit_IsRejectedNamingTheScript()
    {
        var script = "1;" + new string(' ', 70 * 1024);
        var response = await Client.SubmitAsync(TestRedis.NewCircle(), new { script });

        AssertProblem(response, HttpStatusCode.BadRequest, "script");
    }

    [Test]
    public async Task BodyFarOverTheLimit_Is413()
    {
        var script = new string('x', 2 * 1024 * 1024);
        var response = await Client.SubmitAsync(TestRedis.NewCircle(), new { script });

        AssertProblem(response, HttpStatusCode.RequestEntityTooLarge, "413");
    }

    [Test]
    public async Task ArgsOverTheSizeLimit_AreRejectedNamingTheArgs()
    {
        var response = await Client.SubmitAsync(TestRedis.NewCircle(), new { script = "1", args = new { blob = new string('x', 300 * 1024) } });

        AssertProblem(response, HttpStatusCode.BadRequest, "args");
    }

    [Test]
    public async Task NotJson_Is415()
    {
        var response = await Client.SendRawAsync(HttpMethod.Post, $"/api/circles/{TestRedis.NewCircle()}/tasks", "script=1", "text/plain");

        AssertProblem(response, HttpStatusCode.UnsupportedMediaType, "application/json");
    }

    [TestCase("0123456789abcdef0123456789abcdef")]
    [TestCase("not-an-id")]
    public async Task UnknownTask_Is404(string id)
    {
        var response = await Client.GetTaskAsync(TestRedis.NewCircle(), id);

        AssertProblem(response, HttpStatusCode.NotFound, id);
    }

    [TestCase("status=done", "status")]
    [TestCase("limit=0", "limit")]
    [TestCase("limit=501", "limit")]
    public async Task BadListQuery_Is400(string query, string field)
    {
        var response = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{TestRedis.NewCircle()}/tasks?{query}"));

        AssertProblem(response, HttpStatusCode.BadRequest, field);
    }

    /// <summary>Every method of every route with a named resource's <c>{name}</c> (scripts, schedules).</summary>
    private IEnumerable<(string Method, string Pattern)> NamedRoutes() =>
        Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true && e.RoutePattern.GetParameter("name") is not null)
            .Select(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Single(), e.RoutePattern.RawText!));

    private static string ValidBody(string pattern) =>
        pattern.Contains("/schedules/", StringComparison.Ordinal) ? """{"cron":"0 0 1 1 *","script":"1"}"""
        : pattern.Contains("/scripts/", StringComparison.Ordinal) ? """{"script":"1"}"""
        : throw new AssertionException($"no valid body known for {pattern}");

    [TestCase("bad%20name")]
    [TestCase("-leading-dash")]
    [TestCase("a%7Bb%7D")]
    public async Task NameBreakingTheRule_Is400NamingIt_OnEveryMethod_AndStoresNothing(string name)
    {
        var routes = NamedRoutes().ToArray();
        Assert.That(routes.Select(r => r.Method).Distinct(), Is.EquivalentTo(new[] { "PUT", "GET", "DELETE" }), string.Join(", ", routes));

        foreach (var (method, pattern) in routes)
        {
            var circle = TestRedis.NewCircle("names");
            var path = pattern.Replace("{circle}", circle).Replace("{name}", name);
            // A body that would be stored under a good name, so "stored nothing" below can fail.
            var response = await Client.SendRawAsync(new HttpMethod(method), path, method == "PUT" ? ValidBody(pattern) : null);

            AssertProblem(response, HttpStatusCode.BadRequest, "name");
            Assert.That(response.Body!["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "name" }), $"{method} {path}: {response}");
            var list = await GatewayClient.ReadAsync(await Client.GetAsync(path[..path.LastIndexOf('/')]));
            Assert.That(list.Body!.AsObject().Single().Value!.AsArray(), Is.Empty, $"{method} {path} stored nothing");
            if (method == "PUT")
            {
                var good = await Client.SendRawAsync(HttpMethod.Put, pattern.Replace("{circle}", circle).Replace("{name}", "good"), ValidBody(pattern));
                Assert.That(good.Status, Is.EqualTo(HttpStatusCode.Created), $"the same body under a good name is stored: {good}");
            }
        }
    }
}
