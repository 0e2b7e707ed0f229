using System.Diagnostics;
using Gateway.Core.Redis;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Gateway.Tests.Operations;

[TestFixture]
public sealed class TracingTests
{
    [Test]
    public async Task SubmitEnqueueAndExecute_OfOneTask_AreOneTrace()
    {
        var spans = new List<Activity>();
        await using var factory = new GatewayFactory(new Dictionary<string, string?> { ["Gateway:Tracing"] = "true" }).WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans))));
        using var client = factory.CreateClient();
        var circle = TestRedis.NewCircle("trace");

        var task = await client.SubmitAsync(circle, new { script = "1" }, wait: 10);
        Assert.That(task.TaskStatus, Is.EqualTo("completed"));
        await Task.Delay(200); // the execute span ends after the completion is written

        Activity[] Of(string name) { lock (spans) return spans.Where(s => s.DisplayName == name && (string?)s.GetTagItem("gateway.task.id") == task.Id).ToArray(); }
        var enqueue = Of("enqueue").Single();
        var execute = Of("execute").Single();
        Activity submit;
        lock (spans)
            submit = spans.Single(s => s.Kind == ActivityKind.Server && s.TraceId == enqueue.TraceId && s.DisplayName.StartsWith("POST", StringComparison.Ordinal));

        Assert.That(enqueue.Kind, Is.EqualTo(ActivityKind.Producer));
        Assert.That(execute.Kind, Is.EqualTo(ActivityKind.Consumer));
        Assert.That(enqueue.ParentSpanId, Is.EqualTo(submit.SpanId));
        Assert.That(execute.TraceId, Is.EqualTo(submit.TraceId), "the run joins the submit's trace");
        Assert.That(execute.ParentSpanId, Is.EqualTo(enqueue.SpanId));
        Assert.That(execute.GetTagItem("gateway.circle"), Is.EqualTo(circle));
        Assert.That(execute.GetTagItem("gateway.task.status"), Is.EqualTo("completed"));
        Assert.That(execute.GetTagItem("gateway.task.attempt"), Is.EqualTo(1));

        var stored = await TestRedis.Connection.GetDatabase().HashGetAsync(RedisKeys.Task(circle, task.Id), "traceparent");
        Assert.That((string?)stored, Does.Contain(enqueue.TraceId.ToHexString()));
    }

    [Test]
    public async Task TheExecuteSpan_OfAWorkerOnlyProcess_JoinsTheSubmitsTrace()
    {
        var spans = new List<Activity>();
        await using var factory = new GatewayFactory(new Dictionary<string, string?>
        {
            ["Gateway:Tracing"] = "true",
            ["Gateway:Workers:Enabled"] = "false",
        }).WithWebHostBuilder(b => b.ConfigureTestServices(s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(spans))));
        using var client = factory.CreateClient();
        using var otlp = new OtlpReceiver();
        var circle = TestRedis.NewCircle("trace-remote");
        await using var worker = await HostProcess.StartWorkerAsync(new Dictionary<string, string>
        {
            ["Gateway:Workers:Circles:0"] = circle,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });

        var task = await client.SubmitAsync(circle, new { script = "'traced'" }, wait: 20);
        Assert.That(task.TaskStatus, Is.EqualTo("completed"), $"{task}\n{worker.Log}");
        Activity enqueue;
        lock (spans)
            enqueue = spans.Single(s => s.DisplayName == "enqueue" && (string?)s.GetTagItem("gateway.task.id") == task.Id);

        var traceId = Convert.FromHexString(enqueue.TraceId.ToHexString());
        var parentSpan = Convert.FromHexString(enqueue.SpanId.ToHexString());
        var clock = Stopwatch.StartNew();
        while (!otlp.HasTraceWith(traceId, parentSpan, "execute"u8.ToArray(), System.Text.Encoding.UTF8.GetBytes(task.Id)) && clock.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(200);

        Assert.That(otlp.HasTraceWith(traceId, parentSpan, "execute"u8.ToArray(), System.Text.Encoding.UTF8.GetBytes(task.Id)), Is.True,
            "the worker process exported an execute span of this task, in the submit's trace, as a child of enqueue");
        Assert.That(otlp.HasTraceWith(Convert.FromHexString("0123456789abcdef0123456789abcdef")), Is.False, "the check can tell traces apart");
    }
}
