using Gateway.Api.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Gateway.Api.OpenApi;

/// <summary>
/// An operation that requires authorization says so: either scheme will do (an API key in
/// <c>X-Api-Key</c>, or a key or JWT as a bearer token), so Swagger UI sends what Authorize holds
/// and generated clients know a credential is needed. With no credential configured the API
/// is open, and the empty requirement says that anonymous calls are accepted too.
/// </summary>
internal sealed class SecurityOperationFilter(IOptions<AuthOptions> auth) : IOperationFilter
{
    public const string ApiKeyScheme = ApiKeyAuthenticationHandler.SchemeName;
    public const string BearerScheme = JwtBearerSetup.Scheme;

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        if (!metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<IAllowAnonymous>().Any())
            return;
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] });
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
        if (auth.Value.Open)
            operation.Security.Add(new OpenApiSecurityRequirement());
    }
}
