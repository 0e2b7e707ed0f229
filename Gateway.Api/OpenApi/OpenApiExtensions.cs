using System.Reflection;
using Gateway.Api.Security;
using Microsoft.OpenApi;

namespace Gateway.Api.OpenApi;

/// <summary>The OpenAPI document at <c>/swagger/v1/swagger.json</c> and Swagger UI at <c>/swagger</c>.</summary>
public static class OpenApiExtensions
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/swagger/v1/swagger.json";

    public static IServiceCollection AddGatewayOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "Gateway API",
                Version = Version,
                Description = "Submit scripts into named queues (circles), wait for or poll their results, cancel them, "
                    + "and watch circles and workers. Every error is an RFC 9457 ProblemDetails. With credentials "
                    + "configured, send an API key (X-Api-Key, or Authorization: Bearer) or a JWT (Authorization: Bearer).",
            });
            o.SupportNonNullableReferenceTypes();
            o.UseAllOfToExtendReferenceSchemas();
            o.AddSecurityDefinition(SecurityOperationFilter.ApiKeyScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = Credentials.ApiKeyHeader,
                Description = "An API key from Gateway:Auth:ApiKeys.",
            });
            o.AddSecurityDefinition(SecurityOperationFilter.BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A JWT from the identity provider of Gateway:Auth:Jwt, or an API key.",
            });
            o.SchemaFilter<ContractSchemaFilter>();
            o.OperationFilter<ContractOperationFilter>();
            o.OperationFilter<SecurityOperationFilter>();
            o.DocumentFilter<HealthDocumentFilter>();
        });
        return services;
    }

    public static WebApplication UseGatewayOpenApi(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(ui =>
        {
            ui.DocumentTitle = "Gateway API";
            // Authorize once, keep it across reloads of the page.
            ui.EnablePersistAuthorization();
        });
        return app;
    }

    /// <summary>The Api assembly's informational version without its build metadata (the commit).</summary>
    public static string Version { get; } =
        (typeof(OpenApiExtensions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(OpenApiExtensions).Assembly.GetName().Version?.ToString() ?? "0.0.0").Split('+')[0];
}
