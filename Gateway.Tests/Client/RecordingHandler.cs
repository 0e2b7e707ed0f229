using System.Collections.Concurrent;

namespace Gateway.Tests.Client;

/// <summary>
/// Sits inside the client's resilience handler, so it sees every attempt: what was sent and
/// what came back (or that nothing did).
/// </summary>
public sealed class RecordingHandler : DelegatingHandler
{
    private int _sent;

    /// <summary>Attempts, recorded as each one ends.</summary>
    public ConcurrentQueue<Attempt> Attempts { get; } = new();

    /// <summary>Attempts sent so far, answered or not.</summary>
    public int Sent => Volatile.Read(ref _sent);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sent);
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var key = request.Headers.TryGetValues("Idempotency-Key", out var values) ? values.Single() : null;
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            Attempts.Enqueue(new Attempt(request.Method, request.RequestUri!, key, body, (int)response.StatusCode));
            return response;
        }
        catch (HttpRequestException)
        {
            Attempts.Enqueue(new Attempt(request.Method, request.RequestUri!, key, body, Status: null));
            throw;
        }
    }

    public sealed record Attempt(HttpMethod Method, Uri Uri, string? IdempotencyKey, string? Body, int? Status);
}
