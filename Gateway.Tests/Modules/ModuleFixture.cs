using System.Text.Json.Nodes;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Modules;

/// <summary>Runs scripts through the real API and in-process workers, for the domain module tests.</summary>
public abstract class ModuleFixture : ApiFixture
{
    /// <summary>The result of a script that must complete.</summary>
    protected async Task<JsonNode?> Run(string circle, string script, object? args = null)
    {
        var task = await Client.RunAsync(circle, script, args);
        Assert.That(task.TaskStatus, Is.EqualTo("completed"), task.ToString());
        return task.Result;
    }

    /// <summary>The message of the error a script must fail with (a script error, i.e. a JS Error the module threw).</summary>
    protected async Task<string> Fails(string circle, string script)
    {
        var task = await Client.RunAsync(circle, script);
        Assert.That(task.TaskStatus, Is.EqualTo("failed"), task.ToString());
        Assert.That(task.ErrorCode, Is.EqualTo("script_error"), task.ToString());
        return task.Body!["error"]!["message"]!.GetValue<string>();
    }
}
