namespace Gateway.Cli.Commands;

/// <summary><c>--url</c> and <c>--api-key</c>, on every command, with their environment variables.</summary>
internal sealed class ConnectionOptions
{
    public const string UrlVariable = "GATEWAY_URL";
    public const string ApiKeyVariable = "GATEWAY_API_KEY";
    private const string DefaultUrl = "http://localhost:5080";

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

    public ConnectionOptions()
    {
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
        return new GatewayClient(new GatewayClientOptions
        {
            BaseAddress = new Uri(url),
            ApiKey = string.IsNullOrEmpty(key) ? null : key,
            // A person at a terminal would rather hear about an outage than wait minutes through it.
            MaxRetries = 4,
        });
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

/// <summary>A command line that parsed but does not make sense; exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
