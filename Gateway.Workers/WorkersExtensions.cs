using Gateway.Core.Configuration;
using Gateway.Workers.Processing;

namespace Gateway.Workers;

public static class WorkersExtensions
{
    /// <summary>The worker loop, when <c>Gateway:Workers:Enabled</c> (or always, for the worker-only host).</summary>
    public static IHostApplicationBuilder AddWorkers(this IHostApplicationBuilder builder, bool always = false)
    {
        builder.Services.AddSingleton<WorkerIdentity>();
        var enabled = always || builder.Configuration.GetValue($"{WorkerOptions.Section}:Enabled", true);
        if (enabled)
        {
            builder.Services.AddSingleton<WorkerService>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<WorkerService>());
        }
        return builder;
    }
}
