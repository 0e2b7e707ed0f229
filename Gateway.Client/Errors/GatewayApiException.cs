using System.Net;
using System.Net.Http.Json;
using Gateway.Client.Wire;

namespace Gateway.Client;

/// <summary>The API answered with an error (a ProblemDetails): bad input, auth, not found, conflict, or an outage that outlasted the retries.</summary>
public sealed class GatewayApiException : Exception
{
    /// <summary>Creates the exception from the parts of a ProblemDetails.</summary>
    public GatewayApiException(HttpStatusCode statusCode, string title, string? detail, IReadOnlyDictionary<string, string[]>? errors = null)
        : base(detail is null ? $"{(int)statusCode} {title}" : $"{(int)statusCode} {title} {detail}")
    {
        StatusCode = statusCode;
        Title = title;
        Detail = detail;
        Errors = errors ?? new Dictionary<string, string[]>();
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The ProblemDetails title: what kind of error.</summary>
    public string Title { get; }

    /// <summary>The ProblemDetails detail: this occurrence, in words.</summary>
    public string? Detail { get; }

    /// <summary>For a 400, the fields at fault and what is wrong with each.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    internal static async Task<GatewayApiException> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        var fallback = response.ReasonPhrase is { Length: > 0 } reason ? reason : status.ToString();
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        // Read once into memory: a streamed answer (an event stream refused) cannot be read twice.
#if NET9_0_OR_GREATER
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
#else
        await response.Content.LoadIntoBufferAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
#endif
        if (mediaType is "application/problem+json" or "application/json")
        {
            try
            {
                var problem = await response.Content.ReadFromJsonAsync(ClientJson.Default.Problem, cancellationToken).ConfigureAwait(false);
                if (problem is not null)
                    return new GatewayApiException(status, problem.Title ?? fallback, problem.Detail, problem.Errors);
            }
            catch (System.Text.Json.JsonException)
            {
                // Not a ProblemDetails after all (a proxy's page): fall back to the status line.
            }
        }
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return new GatewayApiException(status, fallback, text.Length == 0 ? null : text.Length > 500 ? text[..500] : text);
    }
}
