using Gateway.Core;
using Gateway.Core.Redis;
using Gateway.Core.Queueing;
using Gateway.Workers.Dispatch;
using Gateway.Scripting;
using Gateway.Workers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Bench;

/// <summary>
/// The queue without HTTP: producers and the worker loop in this one process, on the Core API
/// (submit, then wait on the event subscription) — the set-up BullMQ's figures come from.
/// </summary>
internal sealed class QueueBench(BenchOptions options) : IAsyncDisposable
{
    private IHost? _host;

    public async Task<object> RunAsync(int clients)
    {
        var first = _host is null;
        _host ??= await StartAsync();
        var submitter = _host.Services.GetRequiredService<TaskSubmitter>();
        var reader = _host.Services.GetRequiredService<TaskReader>();
        var events = _host.Services.GetRequiredService<TaskEvents>();
        if (first)
            await RunClientsAsync(submitter, reader, events, 8, options.Warmup);
        var self = options with { Pid = Environment.ProcessId };
        return await Measurement.RunAsync("queue", self, clients, () => RunClientsAsync(submitter, reader, events, clients, options.Count));
    }

    private async Task<IHost> StartAsync()
    {
        var builder = Host.CreateApplicationBuilder([]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = options.Redis ?? throw new ArgumentException("queue needs --redis host:port (or --start)"),
            ["Gateway:Workers:Concurrency"] = options.Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway:Workers:Circles:0"] = options.Circle,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddGatewayCore();
        builder.AddScripting();
        builder.AddWorkers(always: true);
        var host = builder.Build();
        await host.StartAsync();
        await host.Services.GetRequiredService<TaskEvents>().Subscribed;
        return host;
    }

    private Task<List<double>> RunClientsAsync(TaskSubmitter submitter, TaskReader reader, TaskEvents events, int clients, int count) =>
        Measurement.ClosedLoopAsync(clients, count, async i =>
        {
            var id = TaskIds.New(TimeProvider.System);
            using var watch = events.Watch(options.Circle, id);
            await submitter.SubmitAsync(options.Circle, [new NewTask(options.Script, $$"""{"a":{{i}},"b":1}""", 5000) { Id = id }], null, runHere: true);
            var task = watch.Finished;
            while (task is null || !task.Status.IsTerminal())
            {
                if (!await watch.WaitForTerminalOrNudgeAsync(TimeSpan.FromSeconds(60), CancellationToken.None))
                    throw new TimeoutException($"task {id} did not finish");
                task = watch.Finished ?? await reader.GetAsync(options.Circle, id);
            }
            if (task.Status != TaskState.Completed)
                throw new InvalidOperationException($"task {id} ended {task.Status}: {task.Error?.Message}");
        });

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
    }
}
