using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Infrastructure;

/// <summary>What a test reads back from the API, kept as JSON so tests check the wire format itself.</summary>
public sealed record ApiResponse(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Message)
{
    /// <summary>The task's status; null when the body is not a task (a ProblemDetails has a numeric status).</summary>
    public string? TaskStatus => Body?["status"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public string Id => Body?["id"]?.GetValue<string>() ?? throw new InvalidOperationException($"No id in {Body}");

    public JsonNode? Result => Body?["result"];

    public string? ErrorCode => Body?["error"]?["code"]?.GetValue<string>();

    public override string ToString() => $"{(int)Status} {Body?.ToJsonString()}";
}

public static class GatewayClient
{
    public static async Task<ApiResponse> SubmitAsync(this HttpClient client, string circle, object body, double? wait = null)
    {
        var url = $"/api/circles/{circle}/tasks" + (wait is null ? "" : $"?wait={wait.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        return await ReadAsync(await client.PostAsJsonAsync(url, body));
    }

    public static async Task<ApiResponse> GetTaskAsync(this HttpClient client, string circle, string id, double? wait = null)
    {
        var url = $"/api/circles/{circle}/tasks/{id}" + (wait is null ? "" : $"?wait={wait.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        return await ReadAsync(await client.GetAsync(url));
    }

    public static async Task<ApiResponse> SendRawAsync(this HttpClient client, HttpMethod method, string url, string? body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, contentType);
        return await ReadAsync(await client.SendAsync(request));
    }

    public static async Task<ApiResponse> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? body = null;
        if (text.Length > 0)
        {
            try
            {
                body = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                body = JsonValue.Create(text);
            }
        }
        return new ApiResponse(response.StatusCode, body, response);
    }

    /// <summary>Runs a script to its end through submit-and-wait and returns the task.</summary>
    public static async Task<ApiResponse> RunAsync(this HttpClient client, string circle, string script, object? args = null, int? timeoutMs = null)
    {
        var response = await client.SubmitAsync(circle, new { script, args, timeoutMs }, wait: 30);
        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.OK), $"the task did not finish within the wait: {response}");
        return response;
    }

    /// <summary>
    /// Reads the task until it has <paramref name="status"/> and returns it; fails the test, saying
    /// what the task was last, when that takes longer than <paramref name="within"/> (20 s by default).
    /// </summary>
    public static async Task<ApiResponse> WaitForStatusAsync(this HttpClient client, string circle, string id, string status, TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(20);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var task = await client.GetTaskAsync(circle, id);
            if (task.TaskStatus == status)
                return task;
            Assert.That(clock.Elapsed, Is.LessThan(limit), $"task {id} never reached {status}: {task}");
            await Task.Delay(20);
        }
    }
}
