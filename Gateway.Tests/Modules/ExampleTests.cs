using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Modules;

/// <summary>Each script of examples/ runs as the README's curl line sends it: the file as the body.</summary>
[TestFixture]
public sealed class ExampleTests : ModuleFixture
{
    private static IEnumerable<string> Examples()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            dir = dir.Parent;
        var examples = Path.Combine(dir!.FullName, "examples");
        return Directory.GetFiles(examples, "*.js").Concat(Directory.GetFiles(examples, "*.rhai")).Order();
    }

    [TestCaseSource(nameof(Examples))]
    public async Task Example_Completes(string path)
    {
        using var content = new StringContent(await File.ReadAllTextAsync(path));
        var rhai = path.EndsWith(".rhai", StringComparison.Ordinal);
        content.Headers.ContentType = new MediaTypeHeaderValue(rhai ? "text/x-rhai" : "application/javascript");
        var task = await GatewayClient.ReadAsync(await Client.PostAsync($"/api/circles/{TestRedis.NewCircle("example")}/tasks?wait=10", content));

        Assert.That(task.Status, Is.EqualTo(HttpStatusCode.OK), task.ToString());
        Assert.That(task.TaskStatus, Is.EqualTo("completed"), task.ToString());
        Assert.That(task.Body!["language"]!.GetValue<string>(), Is.EqualTo(rhai ? "rhai" : "javascript"));
        Assert.That(task.Result, Is.Not.Null);
    }

    [TestCase("calendar")]
    [TestCase("flow")]
    [TestCase("legal")]
    public async Task RhaiExample_EndsWhereTheJavaScriptOneDoes(string name)
    {
        var js = await RunExample($"{name}.js", "application/javascript");
        var rhai = await RunExample($"{name}.rhai", "text/x-rhai");

        Assert.That(rhai.TaskStatus, Is.EqualTo("completed"), rhai.ToString());
        Assert.That(Normalized(rhai.Result), Is.EqualTo(Normalized(js.Result)), "the same entities, keys in snake case");
        Assert.That(rhai.Body!["output"]!.GetValue<string>(), Is.EqualTo(js.Body!["output"]!.GetValue<string>()));
    }

    private async Task<ApiResponse> RunExample(string file, string contentType)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "Gateway.sln")))
            dir = dir.Parent;
        using var content = new StringContent(await File.ReadAllTextAsync(Path.Combine(dir.FullName, "examples", file)));
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await GatewayClient.ReadAsync(await Client.PostAsync($"/api/circles/{TestRedis.NewCircle("example")}/tasks?wait=10", content));
    }

    /// <summary>Keys snake case and sorted, times dropped (they differ between two runs): what is left must be equal.</summary>
    private static string Normalized(JsonNode? node) => node switch
    {
        JsonObject map => "{" + string.Join(",", map
            .Where(p => !p.Key.EndsWith("At", StringComparison.Ordinal) && !p.Key.EndsWith("_at", StringComparison.Ordinal))
            .Select(p => (Key: Snake(p.Key), p.Value))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}:{Normalized(p.Value)}")) + "}",
        JsonArray array => "[" + string.Join(",", array.Select(Normalized)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };

    private static string Snake(string key) =>
        string.Concat(key.Select((c, i) => char.IsAsciiLetterUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    [Test]
    public async Task ScriptBody_OverTheSizeLimit_Is400()
    {
        using var content = new StringContent(new string(' ', 70 * 1024) + "1");
        content.Headers.ContentType = new MediaTypeHeaderValue("application/javascript");
        var task = await GatewayClient.ReadAsync(await Client.PostAsync($"/api/circles/{TestRedis.NewCircle()}/tasks", content));

        Assert.That(task.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(task.Body!.ToJsonString(), Does.Contain("script"));
    }
}
