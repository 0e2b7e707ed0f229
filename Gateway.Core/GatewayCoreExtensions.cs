using Gateway.Core.Configuration;
using Gateway.Core.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Core;

public static class GatewayCoreExtensions
{
    /// <summary>
    /// Options, the Redis connection, the task queue and reader, the model store and the process's event subscription.
    /// The connection is made by <see cref="RedisConnector"/>, which hosts may give an embedded server.
    /// </summary>
    public static IHostApplicationBuilder AddGatewayCore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<LimitsOptions>().BindConfiguration(LimitsOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.DefaultTimeoutMs <= o.MaxTimeoutMs, $"{LimitsOptions.Section}:DefaultTimeoutMs must not exceed MaxTimeoutMs.");
        services.AddOptionsWithValidateOnStart<WorkerOptions>().BindConfiguration(WorkerOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.Circles.All(c => c == "*" || Queueing.CircleName.IsValid(c)),
                $"{WorkerOptions.Section}:Circles must hold \"*\" or valid circle names.");
        services.AddOptionsWithValidateOnStart<TaskOptions>().BindConfiguration(TaskOptions.Section)
            .ValidateDataAnnotations();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RedisConnector>();
        services.AddSingleton(sp => sp.GetRequiredService<RedisConnector>().Connect());
        services.AddSingleton<TaskQueue>();
        services.AddSingleton<TaskReader>();
        services.AddSingleton<CirclePauses>();
        services.AddSingleton<ScriptRegistry>();
        services.AddSingleton<ScheduleStore>();
        services.AddSingleton<Models.IModelStore, RedisModelStore>();
        services.AddSingleton<WorkerRegistry>();
        // First of the hosted services: nothing serves or claims before the protocol is known to work.
        services.AddHostedService<ProtocolSelfTest>();
        services.AddSingleton<TaskEvents>();
        services.AddHostedService(sp => sp.GetRequiredService<TaskEvents>());
        return builder;
    }
}
