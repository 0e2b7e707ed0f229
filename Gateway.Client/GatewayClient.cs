using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Gateway.Client.Wire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Gateway.Client;

/// <summary>
/// The gateway's REST API, typed. Register it with
/// <see cref="GatewayClientServiceCollectionExtensions.AddGatewayClient"/> or construct it with
/// <see cref="GatewayClient(GatewayClientOptions)"/>. Every request retries what is safe to retry,
/// and every submit carries an <c>Idempotency-Key</c>, so a retried submit never runs a script twice.
/// </summary>
public sealed partial class GatewayClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly GatewayClientOptions _options;
    private readonly TimeProvider _time;
    private readonly bool _ownsHttp;

    /// <summary>For <c>IHttpClientFactory</c>: the client it made, with the resilience handler in place.</summary>
    [ActivatorUtilitiesConstructor]
    public GatewayClient(HttpClient http, IOptions<GatewayClientOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options.Value;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Without dependency injection: the client owns its connection pool and resilience pipeline. Dispose it when done.</summary>
    /// <exception cref="OptionsValidationException">An option is out of range; the message names it.</exception>
    public GatewayClient(GatewayClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new GatewayClientOptionsValidator().Validate(null, options);
        if (validation.Failed)
            throw new OptionsValidationException(Options.DefaultName, typeof(GatewayClientOptions), validation.Failures);

        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>();
        GatewayResilience.Configure(pipeline, options);
        var handler = new ResilienceHandler(pipeline.Build())
        {
            // DNS changes are seen within minutes, as IHttpClientFactory would arrange.
            InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) },
        };
        _http = new HttpClient(handler, disposeHandler: true);
        Configure(_http, options);
        _options = options;
        _time = TimeProvider.System;
        _ownsHttp = true;
    }

    /// <summary>Releases the connection pool when this instance made it.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
            _http.Dispose();
    }

    internal static void Configure(HttpClient http, GatewayClientOptions options)
    {
        var address = options.BaseAddress ?? throw new InvalidOperationException($"{nameof(GatewayClientOptions.BaseAddress)} is required.");
        // Relative paths resolve under a base path (a gateway behind /gw/) only when it ends in '/'.
        http.BaseAddress = address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");
        // The pipeline's timeouts bound every request; HttpClient's own 100 s would cut long waits short.
        http.Timeout = Timeout.InfiniteTimeSpan;
        if (!string.IsNullOrEmpty(options.ApiKey))
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Gateway.Client", typeof(GatewayClient).Assembly.GetName().Version?.ToString(3)));
    }

    /// <summary>
    /// A page of a list: its body, and the value of <paramref name="cursor"/> (<c>after</c>,
    /// <c>before</c>) in the <c>Link: &lt;…?cursor=VALUE&amp;…&gt;; rel="next"</c> header the API
    /// names the next page with; null when there is none.
    /// </summary>
    private async Task<(T Body, string? Next)> SendPageAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, string cursor,
        CancellationToken cancellationToken)
    {
        string? link = null;
        var body = await SendAsync(request, type, cancellationToken,
            headers => link = headers.TryGetValues("Link", out var links) ? links.FirstOrDefault() : null).ConfigureAwait(false);
        if (link is null || !link.Contains("rel=\"next\"", StringComparison.Ordinal))
            return (body, null);
        for (var match = LinkQueryParameter().Match(link); match.Success; match = match.NextMatch())
        {
            if (match.Groups[1].Value == cursor)
                return (body, Uri.UnescapeDataString(match.Groups[2].Value));
        }
        return (body, null);
    }

    [GeneratedRegex(@"[?&](\w+)=([^&>]*)")]
    private static partial Regex LinkQueryParameter();

    private async Task<T> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, CancellationToken cancellationToken,
        Action<HttpResponseHeaders>? readHeaders = null)
    {
        using (request)
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw await GatewayApiException.ReadAsync(response, cancellationToken).ConfigureAwait(false);
            readHeaders?.Invoke(response.Headers);
            try
            {
                return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
                    ?? throw new GatewayApiException(response.StatusCode, "The answer had no body.", request.RequestUri?.ToString());
            }
            catch (JsonException ex)
            {
                // Something other than the gateway answered (a proxy's page), or the answer was cut short.
                throw new GatewayApiException(response.StatusCode, "The answer could not be read.", $"{request.RequestUri}: {ex.Message}");
            }
        }
    }

    private static HttpRequestMessage Json<T>(HttpMethod method, string path, T body, JsonTypeInfo<T> type)
    {
        // Bytes, not a stream: a retry sends exactly the same body again.
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, type));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return new HttpRequestMessage(method, path) { Content = content };
    }

    private static string CirclePath(string circle) => "api/circles/" + Segment(circle);

    private static string TaskPath(string circle, string id) => $"{CirclePath(circle)}/tasks/{Segment(id)}";

    /// <summary>
    /// A name or id as one segment of a path. <c>.</c> and <c>..</c> are refused: escaping leaves
    /// them as they are, and the address would then name another resource (<c>circles/../tasks</c>).
    /// </summary>
    private static string Segment(string value, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? name = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, name);
        return value is "." or ".."
            ? throw new ArgumentException($"'{value}' cannot be a {name}: it is not a name in a path.", name)
            : Uri.EscapeDataString(value);
    }

    private static string Seconds(TimeSpan wait) =>
        Math.Max(0, wait.TotalSeconds).ToString("0.###", CultureInfo.InvariantCulture);

    private TimeSpan PollFor(TimeSpan left) => left < _options.LongPollWait ? left : _options.LongPollWait;

    /// <summary>args as JSON: JSON values as they are, anything else through <see cref="GatewayClientOptions.ArgsSerializerOptions"/>.</summary>
    private JsonElement? ToJson(object? args) => args switch
    {
        null => null,
        JsonElement element => element,
        JsonDocument document => document.RootElement,
        JsonNode node => JsonSerializer.SerializeToElement(node, ClientJson.Default.JsonNode),
        _ => SerializeWithOptions(args),
    };

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026",
        Justification = "Callers who trim pass JsonElement/JsonNode args or set ArgsSerializerOptions to a source-generated resolver.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050",
        Justification = "As above: the reflection path is only taken for plain objects.")]
    private JsonElement SerializeWithOptions(object args) =>
        JsonSerializer.SerializeToElement(args, args.GetType(), _options.ArgsSerializerOptions ?? Wire.WebJson.Options);
}
