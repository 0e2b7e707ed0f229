using System.Globalization;
using System.Text.Json.Nodes;
using Gateway.Api.Apis;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Gateway.Api.OpenApi;

/// <summary>
/// What every operation shares, applied by name and media type so a new endpoint gets it
/// without an edit here:
/// - the contract's shared parameters (<c>{circle}</c>, <c>?wait</c>, <c>?limit</c>, <c>?after</c>,
///   <c>?before</c>, <c>?status</c>, <c>?scheduled</c>) have the same type and bounds wherever they appear, read from
///   the running limits; a list's default page size is its endpoint's <see cref="DefaultLimit"/>,
///   and a list that pages by <c>?after</c> or <c>?before</c> declares the <c>Link</c> header that
///   names its next page;
/// - a body or response in a text media type (a script, an event stream) is a string;
/// - every error response is <c>application/problem+json</c>.
/// </summary>
internal sealed class ContractOperationFilter(IOptions<LimitsOptions> limits) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        foreach (var parameter in operation.Parameters ?? [])
        {
            if (parameter is OpenApiParameter p && Convention(p, context) is { } schema)
                p.Schema = schema;
        }

        if (operation.RequestBody?.Content is { } requestContent)
        {
            foreach (var (mediaType, content) in requestContent)
            {
                if (IsText(mediaType) && content is OpenApiMediaType text)
                    text.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Examples = [JsonValue.Create(OpenApiExamples.Script)!] };
            }
        }

        // A list that pages by a cursor (?after, ?before) names its next page in the Link header of a 200.
        if (operation.Parameters?.FirstOrDefault(p => p.In == ParameterLocation.Query && p.Name is "after" or "before") is { Name: { } cursor }
            && operation.Responses?.TryGetValue("200", out var listed) == true && listed is OpenApiResponse page)
        {
            page.Headers ??= new Dictionary<string, IOpenApiHeader>();
            page.Headers["Link"] = new OpenApiHeader
            {
                Description = $"The next page, while more remain: `<…?{cursor}=ID&limit=N>; rel=\"next\"`.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }

        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response.Content is null)
                continue;
            foreach (var (mediaType, content) in response.Content)
            {
                if (IsText(mediaType) && content is OpenApiMediaType text)
                    text.Schema = new OpenApiSchema { Type = JsonSchemaType.String };
            }
            if (status.Length == 3 && status[0] is '4' or '5' && response.Content.Count == 0)
            {
                response.Content["application/problem+json"] = new OpenApiMediaType
                {
                    Schema = context.SchemaGenerator.GenerateSchema(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), context.SchemaRepository),
                };
            }
        }
    }

    private OpenApiSchema? Convention(OpenApiParameter parameter, OperationFilterContext context) => (parameter.In, parameter.Name) switch
    {
        (ParameterLocation.Path, "circle") => new OpenApiSchema { Type = JsonSchemaType.String, Pattern = CircleName.Pattern.Replace(@"\z", "$", StringComparison.Ordinal), Examples = [JsonValue.Create("demo")!] },
        (ParameterLocation.Query, "wait") => new OpenApiSchema
        {
            Type = JsonSchemaType.Number,
            Minimum = "0",
            Maximum = limits.Value.MaxWaitSeconds.ToString(CultureInfo.InvariantCulture),
            Description = "Seconds to wait for the task to finish.",
        },
        (ParameterLocation.Query, "limit") => new OpenApiSchema
        {
            Type = JsonSchemaType.Integer,
            Format = "int32",
            Minimum = "1",
            Maximum = TasksApi.MaxListLimit.ToString(CultureInfo.InvariantCulture),
            // Each list says what no limit means: a default page size, or every item.
            Default = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<DefaultLimit>().FirstOrDefault() is { } page
                ? JsonValue.Create(page.Value)
                : null,
        },
        (ParameterLocation.Query, "after") => new OpenApiSchema
        {
            Type = JsonSchemaType.Integer,
            Format = "int64",
            Minimum = "0",
            Description = "Only the items whose ids come after this one: the next page starts after the last id of the one before.",
        },
        (ParameterLocation.Query, "before") => new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Pattern = "^[0-9a-f]{32}$",
            Description = "Only the tasks listed after this one (older): the next page starts after the last task the one before read.",
        },
        (ParameterLocation.Query, "scheduled") => new OpenApiSchema { Type = JsonSchemaType.Boolean, Default = JsonValue.Create(false) },
        (ParameterLocation.Query, "status") => new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Enum = new WireValuesAttribute(typeof(TaskStates)).Values.Select(v => (JsonNode)JsonValue.Create(v)).ToList(),
        },
        _ => null,
    };

    /// <summary>Text that is not JSON: <c>text/*</c> (an event stream, a script) and <c>application/javascript</c>.</summary>
    private static bool IsText(string mediaType) =>
        mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
        || RequestReader.ScriptContentTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase);
}
