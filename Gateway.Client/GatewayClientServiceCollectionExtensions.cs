using Gateway.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="GatewayClient"/> as a typed client over <c>IHttpClientFactory</c>.</summary>
public static class GatewayClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="GatewayClient"/> with its resilience pipeline. The options are validated
    /// when the host starts. Returns the client's builder, to add handlers or change the primary one.
    /// </summary>
    /// <example><code>
    /// services.AddGatewayClient(o =>
    /// {
    ///     o.BaseAddress = new Uri("http://localhost:5080");
    ///     o.ApiKey = configuration["Gateway:ApiKey"];
    /// });
    /// </code></example>
    public static IHttpClientBuilder AddGatewayClient(this IServiceCollection services, Action<GatewayClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<GatewayClientOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayClientOptions>, GatewayClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        var builder = services.AddHttpClient<GatewayClient>()
            .ConfigureHttpClient((provider, http) =>
                GatewayClient.Configure(http, provider.GetRequiredService<IOptions<GatewayClientOptions>>().Value));
        builder.AddResilienceHandler("gateway", (pipeline, context) =>
            GatewayResilience.Configure(pipeline, context.ServiceProvider.GetRequiredService<IOptions<GatewayClientOptions>>().Value));
        return builder;
    }
}
