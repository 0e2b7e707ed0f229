using Gateway.Core;
using Gateway.Hosting;
using Gateway.Scripting;
using Gateway.Workers.Processing;

namespace Gateway.Workers;

/// <summary>The worker-only host: the worker loop, plus health and metrics on a small HTTP port.</summary>
public static partial class WorkerHost
{
    /// <summary>Where the host listens when nothing says: any free port of the loopback interface.</summary>
    internal const string OwnAddress = "http://127.0.0.1:0";

    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // Its port serves only health and metrics. With none configured (containers set
        // ASPNETCORE_HTTP_PORTS), several worker processes on one host must not contend for
        // Kestrel's default port: each takes a free one and logs it.
        if (!HasAddress(builder.Configuration))
            builder.WebHost.UseUrls(OwnAddress);
        builder.AddGatewayDefaults("gateway-worker").AddCheck<WorkerHealthCheck>("workers", tags: [HealthEndpoints.ReadyTag]);
        builder.AddGatewayCore();
        builder.AddScripting();
        builder.AddWorkers(always: true);

        var app = builder.Build();
        app.MapGatewayDefaults();
        app.Lifetime.ApplicationStarted.Register(() => LogListening(app.Logger, string.Join(", ", app.Urls)));
        app.Run();
    }

    /// <summary>Whether an address was configured: <c>--urls</c>, <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP(S)_PORTS</c> or Kestrel endpoints.</summary>
    internal static bool HasAddress(IConfiguration configuration) =>
        new[] { "urls", "http_ports", "https_ports" }.Any(key => !string.IsNullOrWhiteSpace(configuration[key]))
        || configuration.GetSection("Kestrel:Endpoints").Exists();

    [LoggerMessage(Level = LogLevel.Information, Message = "Health and metrics at {Addresses}")]
    private static partial void LogListening(ILogger logger, string addresses);
}
