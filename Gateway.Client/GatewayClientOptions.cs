using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Gateway.Client;

/// <summary>Where the gateway is, how to authenticate, and how patient to be.</summary>
public sealed class GatewayClientOptions
{
    /// <summary>The gateway's base address, e.g. <c>http://localhost:5080</c>. Required.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>An API key, sent as <c>Authorization: Bearer</c>; none when the gateway is open.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Retries of one request after a 503, 429, 502, 504, 408, a transport error or an attempt timeout. 0 turns retries off.</summary>
    public int MaxRetries { get; set; } = 6;

    /// <summary>First wait between retries; it doubles (with jitter) each time unless the server sends Retry-After.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait between two retries.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// Longest a single attempt may take. A request that asks the server to wait (a long poll,
    /// a submit with <c>?wait=</c>) is given its wait and 5 s more when that is longer.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest one request may take, every retry included.</summary>
    public TimeSpan TotalRequestTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// The <c>wait</c> one long-poll asks the server for. Longer waits are made of several polls,
    /// so a proxy's idle timeout never cuts one. At most the server's maximum (60 s by default).
    /// </summary>
    public TimeSpan LongPollWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long <see cref="GatewayClient.RunAsync"/> waits when the caller gives no timeout.</summary>
    public TimeSpan DefaultRunTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How <c>args</c> objects are written when they are not already JSON (a <see cref="JsonElement"/>
    /// or <c>JsonNode</c>). Web defaults with reflection when null; set a resolver from a
    /// <c>JsonSerializerContext</c> to serialize without reflection.
    /// </summary>
    public JsonSerializerOptions? ArgsSerializerOptions { get; set; }
}

/// <summary>Stops a misconfigured client at start, naming the setting.</summary>
internal sealed class GatewayClientOptionsValidator : IValidateOptions<GatewayClientOptions>
{
    /// <summary>The bounds of a timeout the resilience pipeline takes.</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10), MaxTimeout = TimeSpan.FromHours(24);

    public ValidateOptionsResult Validate(string? name, GatewayClientOptions options)
    {
        var failures = new List<string>();
        if (options.BaseAddress is not { IsAbsoluteUri: true } address || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
            failures.Add($"{nameof(GatewayClientOptions.BaseAddress)} must be an absolute http or https address (got '{options.BaseAddress}').");
        // Never the key itself in the message: it is a secret.
        if (options.ApiKey is { Length: > 0 } key && !HeaderText.IsToken(key))
            failures.Add($"{nameof(GatewayClientOptions.ApiKey)} must be printable ASCII without spaces or line breaks ({key.Length} characters given, not all of them so).");
        if (options.MaxRetries is < 0 or > 100)
            failures.Add($"{nameof(GatewayClientOptions.MaxRetries)} must be 0 to 100 (got {options.MaxRetries}).");
        if (options.RetryDelay < TimeSpan.Zero || options.MaxRetryDelay < options.RetryDelay)
            failures.Add($"{nameof(GatewayClientOptions.RetryDelay)} must be ≥ 0 and at most {nameof(GatewayClientOptions.MaxRetryDelay)}.");
        if (options.LongPollWait <= TimeSpan.Zero || options.LongPollWait > TimeSpan.FromMinutes(10))
            failures.Add($"{nameof(GatewayClientOptions.LongPollWait)} must be more than 0 and at most 10 minutes (got {options.LongPollWait}).");
        if (options.AttemptTimeout < MinTimeout || options.AttemptTimeout > MaxTimeout)
            failures.Add($"{nameof(GatewayClientOptions.AttemptTimeout)} must be from 10 ms to 24 hours (got {options.AttemptTimeout}).");
        if (options.TotalRequestTimeout < options.AttemptTimeout || options.TotalRequestTimeout > MaxTimeout)
            failures.Add($"{nameof(GatewayClientOptions.TotalRequestTimeout)} must be at least {nameof(GatewayClientOptions.AttemptTimeout)} and at most 24 hours (got {options.TotalRequestTimeout}).");
        if (options.DefaultRunTimeout <= TimeSpan.Zero)
            failures.Add($"{nameof(GatewayClientOptions.DefaultRunTimeout)} must be more than 0.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>What a header value the client sends may hold; the HTTP stack refuses anything else only as the request goes out.</summary>
internal static class HeaderText
{
    /// <summary>Printable ASCII without spaces: an API key, sent as a bearer token.</summary>
    public static bool IsToken(string value) => value.All(c => c is >= '!' and <= '~');

    /// <summary>Printable ASCII, spaces included: an idempotency key.</summary>
    public static bool IsPrintable(string value) => value.All(c => c is >= ' ' and <= '~');
}
