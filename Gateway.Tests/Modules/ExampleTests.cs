using System.Net;
using System.Net.Http.Headers;
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
        return Directory.GetFiles(Path.Combine(dir!.FullName, "examples"), "*.js").Order();
    }

    [TestCaseSource(nameof(Examples))]
    public async Task Example_Completes(string path)
    {
        using var content = new StringContent(await File.ReadAllTextAsync(path));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/javascript");
        var task = await GatewayClient.ReadAsync(await Client.PostAsync($"/api/circles/{TestRedis.NewCircle("example")}/tasks?wait=10", content));

        Assert.That(task.Status, Is.EqualTo(HttpStatusCode.OK), task.ToString());
        Assert.That(task.TaskStatus, Is.EqualTo("completed"), task.ToString());
        Assert.That(task.Result, Is.Not.Null);
    }

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
