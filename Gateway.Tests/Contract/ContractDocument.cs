using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Api.OpenApi;

namespace Gateway.Tests.Contract;

/// <summary>The live OpenAPI document of an Api, and lookups into it by path template and status.</summary>
public sealed class ContractDocument(string json)
{
    public string Json { get; } = json;

    public JsonNode Root { get; } = JsonNode.Parse(json)!;

    public static async Task<ContractDocument> FetchAsync(HttpClient client)
    {
        var response = await client.GetAsync(OpenApiExtensions.DocumentPath);
        Assert.That(response.IsSuccessStatusCode, Is.True, $"GET {OpenApiExtensions.DocumentPath}: {(int)response.StatusCode}");
        return new ContractDocument(await response.Content.ReadAsStringAsync());
    }

    public IEnumerable<string> Paths => Root["paths"]!.AsObject().Select(p => p.Key);

    public JsonObject? Operation(string path, string method) => Root["paths"]?[path]?[method.ToLowerInvariant()]?.AsObject();

    public JsonObject Schema(string name) => Root["components"]!["schemas"]![name]!.AsObject();

    /// <summary>The document path whose template matches a concrete request path (<c>/api/circles/a/tasks</c> → <c>/api/circles/{circle}/tasks</c>).</summary>
    public string? TemplateOf(string requestPath)
    {
        // Literal segments beat parameters: /tasks/batch is not /tasks/{id}.
        return Paths
            .Where(template => Regex.IsMatch(requestPath, "^" + Regex.Replace(Regex.Escape(template), @"\\\{[^}]+}", "[^/]+") + "$"))
            .OrderBy(template => template.Count(c => c == '{'))
            .FirstOrDefault();
    }

    public static IEnumerable<string> StatusesOf(JsonObject operation) => operation["responses"]!.AsObject().Select(r => r.Key);
}
