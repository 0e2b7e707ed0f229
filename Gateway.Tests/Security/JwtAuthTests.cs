using System.Net;
using System.Text;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Tests.Security;

/// <summary>
/// JWT bearer tokens beside API keys: tokens minted here with the configured HS256 secret (no
/// identity provider needed) get the same 200/401/403 as keys, with <c>sub</c> as the caller.
/// </summary>
[TestFixture]
public sealed class JwtAuthTests
{
    private const string Issuer = "https://idp.test/realms/gateway";
    private const string Audience = "gateway-api";
    private const string SigningKey = "jwt-test-signing-key-0123456789-abcdef";
    private const string AlphaKey = "alpha-key-0123456789";
    private readonly string _a = TestRedis.NewCircle("jwt-a");
    private readonly string _b = TestRedis.NewCircle("jwt-b");
    private GatewayFactory _factory = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _factory = new GatewayFactory(new Dictionary<string, string?>
        {
            ["Gateway:Auth:ApiKeys:0:Name"] = "alpha",
            ["Gateway:Auth:ApiKeys:0:Key"] = AlphaKey,
            ["Gateway:Auth:ApiKeys:0:Circles:0"] = _a,
            ["Gateway:Auth:Jwt:Issuer"] = Issuer,
            ["Gateway:Auth:Jwt:Audience"] = Audience,
            ["Gateway:Auth:Jwt:SigningKey"] = SigningKey,
        });
    }

    [OneTimeTearDown]
    public void Stop() => _factory.Dispose();

    /// <summary>A token as an identity provider would issue it; each argument spoils one part.</summary>
    public static string Mint(
        string? subject = "svc-billing",
        object? circles = null,
        string issuer = Issuer,
        string audience = Audience,
        string signingKey = SigningKey,
        TimeSpan? expiresIn = null)
    {
        var expires = DateTime.UtcNow + (expiresIn ?? TimeSpan.FromMinutes(5));
        var claims = new Dictionary<string, object>();
        if (subject is not null)
            claims["sub"] = subject;
        if (circles is not null)
            claims["circles"] = circles;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = expires.AddMinutes(-10),
            NotBefore = expires.AddMinutes(-10),
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });
    }

    private HttpClient Client(string? bearer)
    {
        var client = _factory.CreateClient();
        if (bearer is not null)
            client.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        return client;
    }

    [Test]
    public async Task ValidToken_WithItsCircleAsAString_Runs_AndItsSubjectIsTheCaller()
    {
        using var client = Client(Mint(circles: $"{_a} other"));
        var task = await client.SubmitAsync(_a, new { script = "task.caller" }, wait: 10);

        Assert.That(task.Status, Is.EqualTo(HttpStatusCode.OK), task.ToString());
        Assert.That(task.Result!.GetValue<string>(), Is.EqualTo("svc-billing"));
        Assert.That(task.Body!["caller"]!.GetValue<string>(), Is.EqualTo("svc-billing"));
    }

    [Test]
    public async Task ValidToken_WithCirclesAsAnArray_Runs()
    {
        using var client = Client(Mint(subject: "svc-array", circles: new[] { "other", _b }));
        var task = await client.SubmitAsync(_b, new { script = "task.caller" }, wait: 10);

        Assert.That(task.Status, Is.EqualTo(HttpStatusCode.OK), task.ToString());
        Assert.That(task.Result!.GetValue<string>(), Is.EqualTo("svc-array"));
    }

    [Test]
    public async Task TokenWithStar_MayUseEveryCircle()
    {
        using var client = Client(Mint(circles: "*"));

        Assert.That((await client.SubmitAsync(_a, new { script = "1" })).Status, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That((await client.SubmitAsync(_b, new { script = "1" })).Status, Is.EqualTo(HttpStatusCode.Accepted));
    }

    [Test]
    public async Task CircleNotInTheToken_Is403_NamingTheCircle()
    {
        using var client = Client(Mint(circles: _a));
        var response = await client.SubmitAsync(_b, new { script = "1" });

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Forbidden), response.ToString());
        Assert.That(response.Body!["detail"]!.GetValue<string>(), Does.Contain(_b));
        Assert.That(await TestRedis.Connection.GetDatabase().KeyExistsAsync(Gateway.Core.Redis.RedisKeys.Queue(_b)), Is.False);
    }

    [Test]
    public async Task TokenWithoutACirclesClaim_Is403_OnEveryCircle()
    {
        using var client = Client(Mint(circles: null));
        var response = await client.SubmitAsync(_a, new { script = "1" });

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Forbidden), response.ToString());
        var circles = await GatewayClient.ReadAsync(await client.GetAsync("/api/circles"));
        Assert.That(circles.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(circles.Body!["circles"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task ExpiredToken_Is401_SayingSo()
    {
        using var client = Client(Mint(circles: "*", expiresIn: TimeSpan.FromMinutes(-2)));
        var response = await client.SubmitAsync(_a, new { script = "1" });

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Unauthorized), response.ToString());
        Assert.That(response.Body!["detail"]!.GetValue<string>(), Does.Contain("expired"));
        Assert.That(response.Message.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer"));
        Assert.That(response.Message.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task TokenForAnotherAudience_Is401()
    {
        using var client = Client(Mint(circles: "*", audience: "some-other-api"));
        var response = await client.SubmitAsync(_a, new { script = "1" });

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Unauthorized), response.ToString());
        Assert.That(response.Body!["detail"]!.GetValue<string>(), Does.Contain("audience"));
    }

    [Test]
    public async Task TokenFromAnotherIssuer_Is401()
    {
        using var client = Client(Mint(circles: "*", issuer: "https://elsewhere.test"));

        Assert.That((await client.SubmitAsync(_a, new { script = "1" })).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task TokenSignedWithAnotherKey_Is401()
    {
        using var client = Client(Mint(circles: "*", signingKey: "another-signing-key-0123456789-abcdef"));
        var response = await client.SubmitAsync(_a, new { script = "1" });

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Unauthorized), response.ToString());
        Assert.That(response.Body!["detail"]!.GetValue<string>(), Does.Contain("signature"));
        Assert.That(await TestRedis.Connection.GetDatabase().KeyExistsAsync(Gateway.Core.Redis.RedisKeys.Queue(_a)), Is.False);
    }

    [Test]
    public async Task TokenWithoutSubject_Is401()
    {
        using var client = Client(Mint(subject: null, circles: "*"));
        var response = await client.SubmitAsync(_a, new { script = "1" });

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Unauthorized), response.ToString());
        Assert.That(response.Body!["detail"]!.GetValue<string>(), Does.Contain("sub"));
    }

    [Test]
    public async Task GarbageBearer_Is401_AndNoCredentialAtAll_Is401()
    {
        using var garbage = Client("not-a-key-and-not-a-jwt");
        using var none = Client(null);

        var refused = await garbage.SubmitAsync(_a, new { script = "1" });
        var anonymous = await none.SubmitAsync(_a, new { script = "1" });

        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(anonymous.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(anonymous.Body!["detail"]!.GetValue<string>(), Does.Contain("JWT").And.Contain("X-Api-Key"));
    }

    [Test]
    public async Task KeysStillWork_BesideTokens_AsBearerAndAsHeader()
    {
        using var bearer = Client(AlphaKey);
        using var header = _factory.CreateClient();
        header.DefaultRequestHeaders.Add("X-Api-Key", AlphaKey);

        var viaBearer = await bearer.SubmitAsync(_a, new { script = "task.caller" }, wait: 10);
        var viaHeader = await header.SubmitAsync(_a, new { script = "task.caller" }, wait: 10);
        var notGranted = await bearer.SubmitAsync(_b, new { script = "1" });

        Assert.That(viaBearer.Result!.GetValue<string>(), Is.EqualTo("alpha"), viaBearer.ToString());
        Assert.That(viaHeader.Result!.GetValue<string>(), Is.EqualTo("alpha"), viaHeader.ToString());
        Assert.That(notGranted.Status, Is.EqualTo(HttpStatusCode.Forbidden));
    }
}

[TestFixture]
public sealed class JwtOptionsTests
{
    [TestCase("Gateway:Auth:Jwt:SigningKey", "too-short-key", "SigningKey must be at least 32 characters")]
    [TestCase("Gateway:Auth:Jwt:Audience", "", "Audience is required")]
    [TestCase("Gateway:Auth:Jwt:Authority", "https://idp.test/realms/gateway", "exactly one of Authority")]
    public void BadJwtSetting_StopsTheStart_NamingTheSetting(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Auth:Jwt:Issuer"] = "https://idp.test",
            ["Gateway:Auth:Jwt:Audience"] = "gateway-api",
            ["Gateway:Auth:Jwt:SigningKey"] = "jwt-test-signing-key-0123456789-abcdef",
        };
        settings[key] = value;
        using var factory = new GatewayFactory(settings);

        var failure = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.That(failure!.Message, Does.Contain(expected).And.Contain("Gateway:Auth:Jwt"));
    }

    [Test]
    public void HttpAuthority_IsRefused_UnlessHttpsMetadataIsTurnedOff()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Auth:Jwt:Issuer"] = "http://localhost:8080/realms/gateway",
            ["Gateway:Auth:Jwt:Audience"] = "gateway-api",
            ["Gateway:Auth:Jwt:Authority"] = "http://localhost:8080/realms/gateway",
        };
        using var refused = new GatewayFactory(settings);
        Assert.That(() => refused.CreateClient(), Throws.InstanceOf<OptionsValidationException>().With.Message.Contains("RequireHttpsMetadata"));

        settings["Gateway:Auth:Jwt:RequireHttpsMetadata"] = "false";
        using var allowed = new GatewayFactory(settings);
        using var client = allowed.CreateClient();
        Assert.That(client, Is.Not.Null);
    }
}

[TestFixture]
public sealed class CallerRateLimitTests
{
    [Test]
    public async Task EachCaller_HasItsOwnBucket()
    {
        const string KeyA = "bucket-a-key-0123456789";
        const string KeyB = "bucket-b-key-0123456789";
        await using var factory = new GatewayFactory(new Dictionary<string, string?>
        {
            ["Gateway:RateLimit:PermitsPerSecond"] = "1",
            ["Gateway:RateLimit:Burst"] = "2",
            ["Gateway:Auth:ApiKeys:0:Name"] = "bucket-a",
            ["Gateway:Auth:ApiKeys:0:Key"] = KeyA,
            ["Gateway:Auth:ApiKeys:0:Circles:0"] = "*",
            ["Gateway:Auth:ApiKeys:1:Name"] = "bucket-b",
            ["Gateway:Auth:ApiKeys:1:Key"] = KeyB,
            ["Gateway:Auth:ApiKeys:1:Circles:0"] = "*",
        });
        using var a = factory.CreateClient();
        a.DefaultRequestHeaders.Add("X-Api-Key", KeyA);
        using var b = factory.CreateClient();
        b.DefaultRequestHeaders.Authorization = new("Bearer", KeyB);
        var circle = TestRedis.NewCircle("bucket");

        var fromA = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            fromA.Add((await a.GetAsync($"/api/circles/{circle}")).StatusCode);
        var fromB = (await b.GetAsync($"/api/circles/{circle}")).StatusCode;

        Assert.That(fromA, Does.Contain(HttpStatusCode.TooManyRequests));
        Assert.That(fromB, Is.EqualTo(HttpStatusCode.OK));
    }
}
