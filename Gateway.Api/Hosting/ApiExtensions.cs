using Gateway.Api.Apis;
using Gateway.Core;
using Gateway.Api.Security;
using Gateway.Core.Redis;
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
        builder.AddGatewayDefaults("gateway-api").AddCheck<WorkerHealthCheck>("workers", tags: [HealthEndpoints.ReadyTag]);
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
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o => o.SupportNonNullableReferenceTypes());
        return builder;
    }

    public static WebApplication MapGatewayApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        app.UseSwagger();
        app.UseSwaggerUI();
        app.MapGatewayDefaults();

        // Every /api call: a known key and its circles (ApiKeyFilter), and the caller's rate limit.
        var api = app.MapGroup("/api").AddEndpointFilter<ApiKeyFilter>().RequireRateLimiting(SecurityExtensions.ApiPolicy)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapTasksApi();
        api.MapScriptsApi();
        api.MapSchedulesApi();
        api.MapCirclesApi();
        api.MapModelsApi();
        api.MapWorkersApi();
        app.WarnWhenOpen();
        return app;
    }
}
