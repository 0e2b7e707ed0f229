using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace Gateway.Hosting;

public static class SettingsFile
{
    /// <summary>
    /// Reads the root <c>appsettings.json</c> that ships beside the binaries, as the lowest layer:
    /// a copy in the content root, the environment and the command line all override it. So both
    /// hosts read the same file wherever they are started from.
    /// </summary>
    public static IConfigurationManager AddGatewaySettingsFile(this IConfigurationManager configuration)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        if (File.Exists(path))
        {
            var source = new JsonConfigurationSource { Path = path, Optional = true, ReloadOnChange = false };
            source.ResolveFileProvider();
            configuration.Sources.Insert(0, source);
        }
        return configuration;
    }
}
