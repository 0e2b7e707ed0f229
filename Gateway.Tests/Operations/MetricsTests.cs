using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Operations;

[TestFixture]
public sealed class MetricsTests
{
    private static double Sample(string text, string metric, string circle, string? status = null)
    {
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(metric + "{", StringComparison.Ordinal) || !line.Contains($"circle=\"{circle}\"", StringComparison.Ordinal))
                continue;
            if (status is not null && !line.Contains($"status=\"{status}\"", StringComparison.Ordinal))
                continue;
            return Value(line);
        }
        return 0;
    }

    /// <summary>The value of a sample line, <c>name value</c> or <c>name{labels} value</c>, either perhaps followed by a timestamp.</summary>
    private static double Value(string line) =>
        double.Parse(line[(line.Contains('}') ? line.LastIndexOf('}') + 1 : line.IndexOf(' '))..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    [Test]
    public async Task AfterNTasks_MetricsCountThem_ByCircleAndStatus()
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();
        var circle = TestRedis.NewCircle("metrics");
        for (var i = 0; i < 3; i++)
            await client.RunAsync(circle, "1");
        for (var i = 0; i < 2; i++)
            await client.RunAsync(circle, "throw new Error('x')");
        await client.RunAsync(circle, "while (true) {}", timeoutMs: 50);

        var text = await client.GetStringAsync("/metrics");

        Assert.That(Sample(text, "gateway_tasks_submitted_total", circle), Is.EqualTo(6), text);
        Assert.That(Sample(text, "gateway_tasks_finished_total", circle, "completed"), Is.EqualTo(3));
        Assert.That(Sample(text, "gateway_tasks_finished_total", circle, "failed"), Is.EqualTo(3));
        Assert.That(Sample(text, "gateway_task_queue_wait_seconds_count", circle), Is.EqualTo(6));
        Assert.That(Sample(text, "gateway_task_run_seconds_count", circle, "completed"), Is.EqualTo(3));
        Assert.That(text, Does.Match(new Regex("^gateway_workers_busy", RegexOptions.Multiline)));
        Assert.That(text, Does.Contain("http_server_request_duration_seconds"), "ASP.NET Core's own metrics are exported too");
    }

    [Test]
    public async Task TheRuntimesOwnMetrics_AreExported_WithWhatItCompiled()
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();
        await client.RunAsync(TestRedis.NewCircle("metrics"), "1");

        var text = await client.GetStringAsync("/metrics");

        double Total(string metric) => text.Split('\n')
            .Where(l => l.StartsWith(metric + ' ', StringComparison.Ordinal) || l.StartsWith(metric + '{', StringComparison.Ordinal))
            .Sum(Value);
        Assert.That(Total("dotnet_jit_compiled_methods_total"), Is.GreaterThan(1000), text);
        Assert.That(Total("dotnet_jit_compilation_time_seconds_total"), Is.GreaterThan(0));
        Assert.That(text, Does.Match(new Regex("^dotnet_gc_heap_total_allocated_bytes_total", RegexOptions.Multiline)));
        Assert.That(text, Does.Match(new Regex("^dotnet_thread_pool_thread_count", RegexOptions.Multiline)));
    }

    [Test]
    public async Task WaitingTasksCancelledOrDrained_CountAsFinishedCancelled()
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();
        var circle = TestRedis.NewCircle("metrics");

        var delayed = await client.SubmitAsync(circle, new { script = "1", delayMs = 60_000 });
        await client.DeleteAsync($"/api/circles/{circle}/tasks/{delayed.Id}");
        await client.PostAsync($"/api/circles/{circle}/pause", null);
        await client.SubmitAsync(circle, new { script = "2" });
        await client.SubmitAsync(circle, new { script = "3", delayMs = 60_000 });
        var drained = await GatewayClient.ReadAsync(await client.PostAsync($"/api/circles/{circle}/drain?scheduled=true", null));
        await client.PostAsync($"/api/circles/{circle}/resume", null);
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // past the exporter's cache of a scrape
        var text = await client.GetStringAsync("/metrics");

        Assert.That(drained.Body!["cancelled"]!.GetValue<long>(), Is.EqualTo(2), drained.ToString());
        Assert.That(Sample(text, "gateway_tasks_finished_total", circle, "cancelled"), Is.EqualTo(3),
            string.Join("\n", text.Split('\n').Where(l => l.Contains(circle, StringComparison.Ordinal))));
        Assert.That(Sample(text, "gateway_task_run_seconds_count", circle, "cancelled"), Is.Zero, "no run ended");
    }

    [Test]
    public async Task APausedCircle_IsOneInGatewayCirclePaused_UntilResumed()
    {
        await using var factory = new GatewayFactory();
        using var client = factory.CreateClient();
        var circle = TestRedis.NewCircle("metrics");

        await client.PostAsync($"/api/circles/{circle}/pause", null);
        var paused = await client.GetStringAsync("/metrics");
        await client.PostAsync($"/api/circles/{circle}/resume", null);
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // past the exporter's cache of a scrape
        var resumed = await client.GetStringAsync("/metrics");

        Assert.That(Sample(paused, "gateway_circle_paused", circle), Is.EqualTo(1), paused);
        Assert.That(resumed, Does.Match(new Regex($"^gateway_circle_paused\\{{[^}}]*circle=\"{circle}\"[^}}]*\\}} 0$", RegexOptions.Multiline)),
            string.Join("\n", resumed.Split('\n').Where(l => l.Contains(circle, StringComparison.Ordinal))));
    }

    [Test]
    public async Task WorkerHost_ServesMetrics()
    {
        await using var worker = await HostProcess.StartWorkerAsync(new Dictionary<string, string> { ["Gateway:Workers:Circles:0"] = TestRedis.NewCircle("wm") });
        using var client = worker.CreateClient();

        var text = await client.GetStringAsync("/metrics");

        Assert.That(text, Does.Contain("gateway_workers_busy"));
    }
}
