using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Rhai;

/// <summary>Submits Rhai tasks through the real API.</summary>
internal static class RhaiTasks
{
    /// <summary>Runs a Rhai script to its end through submit-and-wait and returns the task.</summary>
    public static async Task<ApiResponse> RunRhaiAsync(this HttpClient client, string circle, string script, object? args = null, int? timeoutMs = null)
    {
        var response = await client.SubmitAsync(circle, new { script, args, timeoutMs, language = "rhai" }, wait: 30);
        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK), $"the task did not finish within the wait: {response}");
        return response;
    }

    public static string Message(this ApiResponse task) => task.Body!["error"]!["message"]!.GetValue<string>();

    public static int Line(this ApiResponse task) => task.Body!["error"]!["line"]!.GetValue<int>();

    public static int Column(this ApiResponse task) => task.Body!["error"]!["column"]!.GetValue<int>();
}
