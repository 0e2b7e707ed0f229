using Gateway.Core.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gateway.Hosting;

public static class TelemetryExtensions
{
    /// <summary>The meter the .NET runtime publishes its own instruments on: observed when the metrics are collected, never on a request's path.</summary>
    private const string RuntimeMeter = "System.Runtime";

    /// <summary>
    /// Metrics of the gateway, ASP.NET Core and the .NET runtime (its <c>System.Runtime</c> meter:
    /// collections, heap, thread pool, lock contention, methods compiled and the time spent
    /// compiling them), Prometheus at <c>/metrics</c>; and, when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (or <c>Gateway:Tracing</c> is true), traces of
    /// the gateway, ASP.NET Core and StackExchange.Redis, sent over OTLP with the metrics.
    /// Traces nobody collects are not recorded: they cost CPU on every request.
    /// </summary>
    public static IHostApplicationBuilder AddGatewayTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var tracing = otlp || builder.Configuration.GetValue("Gateway:Tracing", false);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(GatewayMetrics.Name, RuntimeMeter).AddAspNetCoreInstrumentation().AddPrometheusExporter();
                if (otlp)
                    metrics.AddOtlpExporter();
            });
        if (tracing)
        {
            telemetry.WithTracing(t =>
            {
                t.AddSource(GatewayMetrics.Name).AddAspNetCoreInstrumentation().AddRedisInstrumentation();
                if (otlp)
                    t.AddOtlpExporter();
            });
        }
        return builder;
    }

    /// <summary>Structured logs: JSON on the console in Production, with scopes (task id and circle while a task runs).</summary>
    public static IHostApplicationBuilder AddGatewayLogging(this IHostApplicationBuilder builder)
    {
        if (builder.Environment.IsProduction())
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            });
        }
        return builder;
    }

    public static IEndpointRouteBuilder MapGatewayMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint("/metrics");
        return endpoints;
    }
}
