using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Security;

[TestFixture]
public sealed class AuthTests
{
    private const string AlphaKey = "alpha-key-0123456789";
    private const string OmniKey = "omni-key-0123456789abc";
    private readonly string _a = TestRedis.NewCircle("auth-a");
    private readonly string _b = TestRedis.NewCircle("auth-b");
    private GatewayFactory _factory = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _factory = new GatewayFactory(new Dictionary<string, string?>
        {
            ["Gateway:Auth:ApiKeys:0:Name"] = "alpha",
            ["Gateway:Auth:ApiKeys:0:Key"] = AlphaKey,
            ["Gateway:Auth:ApiKeys:0:Circles:0"] = _a,
            ["Gateway:Auth:ApiKeys:1:Name"] = "omni",
            ["Gateway:Auth:ApiKeys:1:KeySha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(OmniKey))),
            ["Gateway:Auth:ApiKeys:1:Circles:0"] = "*",
        });
    }

    [OneTimeTearDown]
    public void Stop() => _factory.Dispose();

    private HttpClient Client(string? bearer = null, string? header = null)
    {
        var client = _factory.CreateClient();
        if (bearer is not null)
            client.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        if (header is not null)
            client.DefaultRequestHeaders.Add("X-Api-Key", header);
        return client;
    }

    [Test]
    public async Task Workers_AKeyGrantedSomeCircles_SeesOnlyThoseCircleNames_AndOnlyWorkersServingThemOrEvery()
    {
        var registry = new Gateway.Core.Redis.WorkerRegistry(TestRedis.Connection, TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        Gateway.Core.Redis.WorkerInfo Worker(string id, params string[] circles) => new(id, "host", circles, 2, 0, now, now, 0, 60_000);
        var both = Worker($"both-{_a}", _a, _b);
        var onlyB = Worker($"only-{_b}", _b);
        var every = Worker($"every-{_a}");
        await registry.BeatAsync(both);
        await registry.BeatAsync(onlyB);
        await registry.BeatAsync(every);
        try
        {
            using var alpha = Client(header: AlphaKey);
            using var omni = Client(header: OmniKey);

            var seen = (await GatewayClient.ReadAsync(await alpha.GetAsync("/api/workers"))).Body!["workers"]!.AsArray();
            var all = (await GatewayClient.ReadAsync(await omni.GetAsync("/api/workers"))).Body!["workers"]!.AsArray();

            string[] CirclesOf(System.Text.Json.Nodes.JsonArray list, string id) =>
                list.Single(w => w!["id"]!.GetValue<string>() == id)!["circles"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray();
            Assert.That(CirclesOf(seen, both.Id), Is.EqualTo(new[] { _a }), "circle b is not alpha's to see");
            Assert.That(seen.Select(w => w!["id"]!.GetValue<string>()), Has.None.EqualTo(onlyB.Id));
            Assert.That(CirclesOf(all, both.Id), Is.EqualTo(new[] { _a, _b }));
            Assert.That(CirclesOf(all, onlyB.Id), Is.EqualTo(new[] { _b }));
            Assert.That(CirclesOf(seen, every.Id), Is.Empty, "a worker of every circle is listed to every caller");
        }
        finally
        {
            await registry.RemoveAsync(both.Id);
            await registry.RemoveAsync(onlyB.Id);
            await registry.RemoveAsync(every.Id);
        }
    }

    [Test]
    public async Task NoKey_Is401_WithAChallenge()
    {
        using var client = Client();
        var response = await client.SubmitAsync(_a, new { script = "1" });

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Message.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
        Assert.That(response.Body!["detail"]!.GetValue<string>(), Does.Contain("X-Api-Key"));
        Assert.That((await client.GetAsync("/api/circles")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [TestCase("wrong-key-0123456789")]
    [TestCase("alpha-key-012345678")]
    [TestCase("ALPHA-KEY-0123456789")]
    public async Task WrongKey_Is401(string key)
    {
        using var client = Client(bearer: key);
        var response = await client.SubmitAsync(_a, new { script = "1" });

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await TestRedis.Connection.GetDatabase().KeyExistsAsync(Gateway.Core.Redis.RedisKeys.Queue(_a)), Is.False);
    }

    [Test]
    public async Task CircleNotGranted_Is403()
    {
        using var client = Client(bearer: AlphaKey);
        var response = await client.SubmitAsync(_b, new { script = "1" });

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Forbidden), response.ToString());
        Assert.That(response.Body!["detail"]!.GetValue<string>(), Does.Contain(_b));
        Assert.That((await client.GetAsync($"/api/circles/{_b}/tasks")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await client.GetAsync($"/api/circles/{_b}/contracts")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task AnotherCirclesTask_UnderAGrantedPath_Is404()
    {
        using var omni = Client(bearer: OmniKey);
        var secret = await omni.SubmitAsync(_b, new { script = "'b secret'" }, wait: 10);
        Assert.That(secret.TaskStatus, Is.EqualTo("completed"), secret.ToString());

        using var alpha = Client(bearer: AlphaKey);
        var response = await alpha.GetTaskAsync(_a, secret.Id);

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.Body!.ToJsonString(), Does.Not.Contain("b secret"));
    }

    [Test]
    public async Task TheKeysName_IsTheTasksCaller_SeenByTheScript()
    {
        using var client = Client(header: AlphaKey);
        var task = await client.SubmitAsync(_a, new { script = "task.caller" }, wait: 10);

        Assert.That(task.Status, Is.EqualTo(HttpStatusCode.OK), task.ToString());
        Assert.That(task.Result!.GetValue<string>(), Is.EqualTo("alpha"));
        Assert.That(task.Body!["caller"]!.GetValue<string>(), Is.EqualTo("alpha"));
    }

    [Test]
    public async Task AHashedKey_Works_AndSeesEveryCircle()
    {
        using var client = Client(bearer: OmniKey);
        var task = await client.SubmitAsync(_b, new { script = "task.caller" }, wait: 10);

        Assert.That(task.Result!.GetValue<string>(), Is.EqualTo("omni"));
    }

    [Test]
    public async Task CircleList_ShowsOnlyGrantedCircles()
    {
        using var omni = Client(bearer: OmniKey);
        await omni.SubmitAsync(_a, new { script = "1" }, wait: 10);
        await omni.SubmitAsync(_b, new { script = "1" }, wait: 10);

        using var alpha = Client(bearer: AlphaKey);
        var list = await GatewayClient.ReadAsync(await alpha.GetAsync("/api/circles"));
        var names = list.Body!["circles"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ToArray();

        Assert.That(names, Does.Contain(_a));
        Assert.That(names, Does.Not.Contain(_b));
    }

    [Test]
    public async Task HealthAndSwagger_StayOpen()
    {
        using var client = Client();

        Assert.That((await client.GetAsync("/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await client.GetAsync("/health/ready")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await client.GetAsync("/swagger/v1/swagger.json")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}

[TestFixture]
public sealed class RateLimitAndQuotaTests
{
    [Test]
    public async Task PastTheRateLimit_Is429WithRetryAfter_AndHealthIsNeverLimited()
    {
        await using var factory = new GatewayFactory(new Dictionary<string, string?>
        {
            ["Gateway:RateLimit:PermitsPerSecond"] = "1",
            ["Gateway:RateLimit:Burst"] = "3",
        });
        using var client = factory.CreateClient();
        var circle = TestRedis.NewCircle("rate");

        var answers = new List<ApiResponse>();
        for (var i = 0; i < 6; i++)
            answers.Add(await GatewayClient.ReadAsync(await client.GetAsync($"/api/circles/{circle}")));

        Assert.That(answers.Take(3).Select(a => a.Status), Is.All.EqualTo(HttpStatusCode.OK));
        var limited = answers.Last();
        Assert.That(limited.Status, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(limited.Message.Headers.RetryAfter?.Delta, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(limited.Message.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        for (var i = 0; i < 10; i++)
            Assert.That((await client.GetAsync("/health/live")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task ThePendingQuota_CountsEveryPriorityLaneAndTheScheduledSet()
    {
        await using var factory = new GatewayFactory(new Dictionary<string, string?>
        {
            ["Gateway:Workers:Enabled"] = "false",
            ["Gateway:Limits:MaxPendingPerCircle"] = "3",
        });
        using var client = factory.CreateClient();
        var circle = TestRedis.NewCircle("quota");

        // Lane 0 stays empty: the higher lanes and the scheduled set alone fill the quota.
        Assert.That((await client.SubmitAsync(circle, new { script = "1", priority = 5 })).Status, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That((await client.SubmitAsync(circle, new { script = "1", priority = 9 })).Status, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That((await client.SubmitAsync(circle, new { script = "1", delayMs = 600_000 })).Status, Is.EqualTo(HttpStatusCode.Accepted));
        var refused = await client.SubmitAsync(circle, new { script = "1" });
        var refusedHigh = await client.SubmitAsync(circle, new { script = "1", priority = 9 });

        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.TooManyRequests), refused.ToString());
        Assert.That(refusedHigh.Status, Is.EqualTo(HttpStatusCode.TooManyRequests), refusedHigh.ToString());
        Assert.That(await TestRedis.Connection.GetDatabase().SortedSetLengthAsync(Gateway.Core.Redis.RedisKeys.Index(circle)), Is.EqualTo(3));
    }

    [Test]
    public async Task PastTheCirclesPendingQuota_Is429SayingSo_AndNothingIsQueued()
    {
        await using var factory = new GatewayFactory(new Dictionary<string, string?>
        {
            ["Gateway:Workers:Enabled"] = "false",
            ["Gateway:Limits:MaxPendingPerCircle"] = "3",
        });
        using var client = factory.CreateClient();
        var circle = TestRedis.NewCircle("quota");

        for (var i = 0; i < 3; i++)
            Assert.That((await client.SubmitAsync(circle, new { script = "1" })).Status, Is.EqualTo(HttpStatusCode.Accepted));
        var refused = await client.SubmitAsync(circle, new { script = "1" });
        var batch = await GatewayClient.ReadAsync(await client.PostAsJsonAsync($"/api/circles/{circle}/tasks/batch",
            new { tasks = new[] { new { script = "1" } } }));

        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.TooManyRequests), refused.ToString());
        Assert.That(refused.Body!["detail"]!.GetValue<string>(), Does.Contain("3 pending tasks"));
        // As the rate limiter's 429 does: a client that honours Retry-After waits before it submits again.
        Assert.That(refused.Message.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)), refused.ToString());
        Assert.That(batch.Status, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(batch.Message.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(await TestRedis.Connection.GetDatabase().ListLengthAsync(Gateway.Core.Redis.RedisKeys.Queue(circle)), Is.EqualTo(3));
        Assert.That(await TestRedis.Connection.GetDatabase().SortedSetLengthAsync(Gateway.Core.Redis.RedisKeys.Index(circle)), Is.EqualTo(3));
    }
}
