namespace Gateway.Cli.Commands;

/// <summary><c>--url</c>, <c>--api-key</c> and <c>--request-timeout</c>, on every command, with their environment variables.</summary>
internal sealed class ConnectionOptions
{
    public const string UrlVariable = "GATEWAY_URL";
    public const string ApiKeyVariable = "GATEWAY_API_KEY";
    public const string RequestTimeoutVariable = "GATEWAY_REQUEST_TIMEOUT";
    private const string DefaultUrl = "http://localhost:5080";

    /// <summary>
    /// How long one request may take, retries included, unless it asks the server to wait: a
    /// person at a terminal would rather hear that the gateway does not answer than wait minutes.
    /// </summary>
    private static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(60);

    public Option<string?> Url { get; } = new("--url")
    {
        Description = $"The gateway's address [env: {UrlVariable}; default {DefaultUrl}]",
        Recursive = true,
    };

    // The environment is read at run time, not as a default value, so help never prints a key.
    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = $"API key, sent as Authorization: Bearer [env: {ApiKeyVariable}]",
        Recursive = true,
    };

    public Option<TimeSpan?> RequestTimeout { get; } = CommonOptions.Duration("--request-timeout",
        $"Longest one request may take, retries included, from 1s to 24h; a request that asks the gateway to wait (each long poll of a wait for a task) is given its wait besides [env: {RequestTimeoutVariable}; default {DefaultRequestTimeout.TotalSeconds:0}s]");

    public ConnectionOptions()
    {
        RequestTimeout.Recursive = true;
        Url.Validators.Add(result =>
        {
            var value = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (value is not null && !IsHttpUrl(value))
                result.AddError($"--url must be an absolute http or https address (got '{value}').");
        });
    }

    /// <summary>A client for this invocation; a usage error when the address is not a URL.</summary>
    public GatewayClient CreateClient(ParseResult parse)
    {
        var url = parse.GetValue(Url) ?? Environment.GetEnvironmentVariable(UrlVariable) ?? DefaultUrl;
        if (!IsHttpUrl(url))
            throw new UsageException($"{UrlVariable} must be an absolute http or https address (got '{url}').");
        // A key read from a file may end in a line break (CRLF too): not part of it.
        var key = (parse.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable))?.Trim();
        // One attempt may use the whole budget; a request that asks the server to wait is given
        // its wait besides.
        var total = parse.GetValue(RequestTimeout) ?? RequestTimeoutFromEnvironment() ?? DefaultRequestTimeout;
        if (total < TimeSpan.FromSeconds(1) || total > TimeSpan.FromHours(24))
            throw new UsageException($"A request timeout is from 1s to 24h (got {total}).");
        return new GatewayClient(new GatewayClientOptions
        {
            BaseAddress = new Uri(url),
            ApiKey = string.IsNullOrEmpty(key) ? null : key,
            // A person at a terminal would rather hear about an outage than wait minutes through it.
            MaxRetries = 4,
            AttemptTimeout = total,
            TotalRequestTimeout = total,
        });
    }

    private static TimeSpan? RequestTimeoutFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(RequestTimeoutVariable);
        if (string.IsNullOrWhiteSpace(text))
            return null;
        return CommonOptions.TryParseDuration(text.Trim(), out var value)
            ? value
            : throw new UsageException($"{RequestTimeoutVariable} is not a duration (got '{text}'): use a positive number with ms, s, m or h (e.g. 30s).");
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

/// <summary>A command line that parsed but does not make sense; exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
