using Gateway.Api.Apis;
using Gateway.Api.Dashboard;
using Gateway.Core;
using Gateway.Api.OpenApi;
using Gateway.Api.Security;
using Gateway.Hosting;
using Gateway.Scripting;
using Gateway.Workers;
using Gateway.Workers.Processing;

namespace Gateway.Api.Hosting;

public static class ApiExtensions
{
    /// <summary>Everything the Api host runs: core, scripting, in-process workers, errors, Swagger, health.</summary>
    public static WebApplicationBuilder AddGatewayApi(this WebApplicationBuilder builder)
    {
        builder.AddGatewayDefaults("gateway-api")
            .AddCheck<WorkerHealthCheck>("workers", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<EmbeddedDataHealthCheck>("embedded-data", tags: [HealthEndpoints.ReadyTag]);
        builder.AddGatewayCore();
        builder.AddScripting();
        builder.AddWorkers();
        builder.AddGatewaySecurity();

        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<EmbeddedRedisOptions>().BindConfiguration(EmbeddedRedisOptions.Section)
            .ValidateDataAnnotations();
        services.AddSingleton<EmbeddedGarnet>();
        services.AddSingleton<IEmbeddedRedis>(sp => sp.GetRequiredService<EmbeddedGarnet>());

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, Apis.ApiJson.Default);
            o.SerializerOptions.Converters.Add(new UtcTimestampConverter());
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
                context.ProblemDetails.Detail ??= "The body must be JSON: send Content-Type: application/json.";
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddGatewayOpenApi();
        return builder;
    }

    public static WebApplication MapGatewayApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseGatewaySecurity();
        app.UseGatewayOpenApi();
        app.MapGatewayDefaults();

        // Every /api call: a known caller granted the route's circle, the caller's rate limit, a valid circle name.
        var api = app.MapGroup("/api")
            .RequireAuthorization(CircleAccessRequirement.Policy)
            .RequireRateLimiting(SecurityExtensions.ApiPolicy)
            .WithCircleNameCheck()
            .ProducesApiProblems();
        api.MapTasksApi();
        api.MapScriptsApi();
        api.MapSchedulesApi();
        api.MapCirclesApi();
        api.MapModelsApi();
        api.MapOperationsApi();
        app.MapDashboard();
        app.WarnWhenOpen();
        return app;
    }
}
