using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Gateway.Api.OpenApi;

/// <summary>
/// Health endpoints are middleware, not handlers, so the API explorer does not see them; they
/// are part of the contract all the same. Each endpoint that runs health checks is described
/// here: GET, <c>200 Healthy|Degraded</c> or <c>503 Unhealthy</c> as plain text, never behind auth.
/// </summary>
internal sealed class HealthDocumentFilter(EndpointDataSource endpoints) : IDocumentFilter
{
    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.DisplayName != "Health checks" || endpoint.RoutePattern.RawText is not { } path)
                continue;
            var tags = endpoint.Metadata.GetMetadata<ITagsMetadata>()?.Tags ?? ["Health"];
            document.Tags ??= new HashSet<OpenApiTag>();
            foreach (var tag in tags.Where(t => document.Tags.All(d => d.Name != t)))
                document.Tags.Add(new OpenApiTag { Name = tag });
            var operation = new OpenApiOperation
            {
                OperationId = "Health" + string.Concat(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                    .Select(s => char.ToUpperInvariant(s[0]) + s[1..])),
                Summary = endpoint.Metadata.GetMetadata<IEndpointSummaryMetadata>()?.Summary,
                Tags = new HashSet<OpenApiTagReference>(tags.Select(t => new OpenApiTagReference(t, document))),
                Responses = new OpenApiResponses
                {
                    ["200"] = Text("Healthy (or Degraded: serving with a warning).", HealthStatus.Healthy, HealthStatus.Degraded),
                    ["503"] = Text("Unhealthy: a check failed.", HealthStatus.Unhealthy),
                },
            };
            document.Paths ??= new OpenApiPaths();
            document.Paths[path] = new OpenApiPathItem { Operations = new() { [HttpMethod.Get] = operation } };
        }
    }

    private static OpenApiResponse Text(string description, params HealthStatus[] statuses) => new()
    {
        Description = description,
        Content = new Dictionary<string, IOpenApiMediaType>
        {
            ["text/plain"] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Enum = statuses.Select(s => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(s.ToString())).ToList(),
                },
            },
        },
    };
}
