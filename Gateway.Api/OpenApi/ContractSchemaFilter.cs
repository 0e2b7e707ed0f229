using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Gateway.Api.OpenApi;

/// <summary>
/// Makes every schema say what the wire carries, from the CLR types alone, so a new body type
/// needs no edit here:
/// - a positional record's properties are always written (nulls included): all required;
/// - a nullable property (<c>T?</c>, reference or value type, <c>$ref</c> or free-form) is nullable;
/// - <see cref="WireValuesAttribute"/> gives the <c>enum</c>, <see cref="LimitAttribute"/> the running limit;
/// - <see cref="OpenApiExamples"/> gives a type its example.
/// </summary>
internal sealed class ContractSchemaFilter(IOptions<LimitsOptions> limits) : ISchemaFilter
{
    private static readonly NullabilityInfoContext Nullability = new();

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema target)
            return;
        if (OpenApiExamples.For(context.Type) is { } example)
            target.Examples = [example];
        if (context.Type.IsPrimitive || context.Type == typeof(string) || target.Properties is not { Count: > 0 })
            return;

        var positional = IsPositionalRecord(context.Type);
        foreach (var property in context.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            if (!target.Properties.TryGetValue(name, out var propertySchema))
                continue;
            if (positional)
                (target.Required ??= new HashSet<string>()).Add(name);
            if (IsNullable(property))
                target.Properties[name] = AsNullable(propertySchema);
            if (target.Properties[name] is not OpenApiSchema constrained)
                continue;
            if (property.GetCustomAttribute<WireValuesAttribute>() is { } wire)
                constrained.Enum = wire.Values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
            if (property.GetCustomAttribute<LimitAttribute>() is { } limit)
            {
                constrained.Maximum = limit.MaximumIn(limits.Value);
                if (!double.IsNaN(limit.Minimum))
                    constrained.Minimum = limit.Minimum.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>A <c>$ref</c> cannot carry <c>nullable</c> beside it in OpenAPI 3.0: it is wrapped in <c>allOf</c>.</summary>
    internal static IOpenApiSchema AsNullable(IOpenApiSchema schema)
    {
        switch (schema)
        {
            case OpenApiSchemaReference reference:
                return new OpenApiSchema { AllOf = [reference], Type = JsonSchemaType.Null };
            case OpenApiSchema { AllOf.Count: > 0 } wrapper:
                wrapper.Type = (wrapper.Type ?? 0) | JsonSchemaType.Null;
                return wrapper;
            case OpenApiSchema { Type: null } anything:
                // Free-form (any JSON value). OpenAPI.NET writes a bare null type as "only null" and
                // a set of types as anyOf; 3.0 says "any value or null" with nullable alone.
                anything.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                anything.Extensions["nullable"] = new JsonNodeExtension(JsonValue.Create(true));
                return anything;
            case OpenApiSchema plain:
                plain.Type |= JsonSchemaType.Null;
                return plain;
            default:
                return schema;
        }
    }

    private static bool IsNullable(PropertyInfo property) =>
        System.Nullable.GetUnderlyingType(property.PropertyType) is not null
        || (!property.PropertyType.IsValueType && Nullability.Create(property).ReadState == NullabilityState.Nullable);

    private static bool IsPositionalRecord(Type type) =>
        type.GetMethod("<Clone>$") is not null
        && type.GetConstructors().Any(c => c.GetParameters().Length > 0
            && c.GetParameters().All(p => type.GetProperty(p.Name!, BindingFlags.Public | BindingFlags.Instance) is not null));
}
