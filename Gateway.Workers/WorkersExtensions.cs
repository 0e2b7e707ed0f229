using Gateway.Workers.Dispatch;
using Gateway.Workers.Processing;

namespace Gateway.Workers;

public static class WorkersExtensions
{
    /// <summary>
    /// The submitter, and the worker loop with its lease keeper, reaper, promoter of scheduled tasks, schedule firer and heartbeat when
    /// <c>Gateway:Workers:Enabled</c> (or always, for the worker-only host).
    /// </summary>
    public static IHostApplicationBuilder AddWorkers(this IHostApplicationBuilder builder, bool always = false)
    {
        var services = builder.Services;
        services.AddSingleton<WorkerIdentity>();
        services.AddSingleton<TaskSubmitter>();
        var enabled = always || builder.Configuration.GetValue($"{WorkerOptions.Section}:Enabled", true);
        if (enabled)
        {
            services.AddSingleton<RunningTasks>();
            services.AddSingleton<PausedCircles>();
            services.AddSingleton<WorkerService>();
            services.AddSingleton<ILocalWorker>(sp => sp.GetRequiredService<WorkerService>());
            // Hosted services stop in reverse order: the heartbeat leaves the registry first, the
            // worker drains, and leases are kept until it has.
            services.AddHostedService<LeaseKeeper>();
            services.AddHostedService(sp => sp.GetRequiredService<PausedCircles>());
            services.AddHostedService(sp => sp.GetRequiredService<WorkerService>());
            services.AddHostedService<Reaper>();
            services.AddHostedService<Promoter>();
            services.AddHostedService<ScheduleFirer>();
            services.AddHostedService<Heartbeat>();
        }
        return builder;
    }
}
