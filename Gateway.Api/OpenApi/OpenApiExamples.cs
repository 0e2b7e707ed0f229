using System.Text.Json.Nodes;
using Gateway.Api.Apis;

namespace Gateway.Api.OpenApi;

/// <summary>Examples for request bodies, shown and pre-filled by Swagger UI's "Try it out".</summary>
internal static class OpenApiExamples
{
    public const string Script = "args.a + args.b";

    private static readonly Dictionary<Type, Func<JsonNode>> Examples = new()
    {
        [typeof(SubmitRequest)] = () => new JsonObject
        {
            ["script"] = Script,
            ["args"] = new JsonObject { ["a"] = 1, ["b"] = 2 },
            ["timeoutMs"] = 2000,
            ["language"] = "javascript",
        },
        [typeof(BatchRequest)] = () => new JsonObject
        {
            ["tasks"] = new JsonArray(
                new JsonObject { ["script"] = Script, ["args"] = new JsonObject { ["a"] = 1, ["b"] = 2 } },
                new JsonObject { ["script"] = "console.log('hello'); 42" }),
        },
    };

    public static JsonNode? For(Type type) => Examples.TryGetValue(type, out var example) ? example() : null;
}
