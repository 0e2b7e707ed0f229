using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>A Redis server a host runs itself when no connection string is configured.</summary>
public interface IEmbeddedRedis
{
    /// <summary>Starts the server (once) and returns its StackExchange.Redis configuration string.</summary>
    string Start();
}

/// <summary>
/// Makes the process's one multiplexer from <c>ConnectionStrings:Redis</c>, or from the embedded
/// server when that is empty and the host has one. Commands fail fast while Redis is away, so
/// callers can answer 503 at once instead of hanging.
/// </summary>
public sealed partial class RedisConnector(IConfiguration configuration, IServiceProvider services, ILogger<RedisConnector> log)
{
    public const string ConnectionStringName = "Redis";

    public IConnectionMultiplexer Connect()
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        string connectionString;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            connectionString = configured;
        }
        else if (services.GetService<IEmbeddedRedis>() is { } embedded)
        {
            connectionString = embedded.Start();
        }
        else
        {
            throw new InvalidOperationException(
                "ConnectionStrings:Redis is not set. Point it at a Redis server, e.g. ConnectionStrings__Redis=127.0.0.1:6379.");
        }

        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        // A command Redis does not answer within 1.5 s fails (callers answer 503): the API never
        // hangs on a server that went away mid-command. Set asyncTimeout= in the string to change it.
        // Timeouts are noticed on the client's heartbeat, so it ticks often enough to keep that promise.
        if (!connectionString.Contains("asyncTimeout", StringComparison.OrdinalIgnoreCase))
            options.AsyncTimeout = 1500;
        options.HeartbeatInterval = TimeSpan.FromMilliseconds(250);
        // Reconnect within about a second once Redis is back, not after a long exponential wait.
        options.ReconnectRetryPolicy ??= new ExponentialRetry(250, 1000);
        options.ClientName ??= $"gateway-{Environment.MachineName}";
        var connection = ConnectionMultiplexer.Connect(options);
        LogConnected(log, Redact(options), connection.IsConnected);
        return connection;
    }

    private static string Redact(ConfigurationOptions options) => options.ToString(includePassword: false);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis at {Endpoint} (connected: {Connected})")]
    private static partial void LogConnected(ILogger logger, string endpoint, bool connected);
}
