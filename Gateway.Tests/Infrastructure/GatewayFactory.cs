using Gateway.Tests;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Gateway.Tests.Infrastructure;

/// <summary>The real Api pipeline (in memory) against the test Redis, with settings a test may add to.</summary>
public sealed class GatewayFactory(IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Redis", TestRedis.ConnectionString);
        builder.UseSetting("Gateway:Workers:Concurrency", "4");
        builder.UseSetting("Gateway:Workers:IdlePollMs", "1000");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            builder.UseSetting(key, value);
    }
}
