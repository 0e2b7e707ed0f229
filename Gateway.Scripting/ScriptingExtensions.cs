using Gateway.Scripting.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Scripting;

public static class ScriptingExtensions
{
    /// <summary>The sandboxed script runner, one per process (its options and script cache are shared).</summary>
    public static IHostApplicationBuilder AddScripting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ScriptRunner>();
        return builder;
    }
}
