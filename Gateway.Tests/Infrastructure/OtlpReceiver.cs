using System.Collections.Concurrent;
using System.Net;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A minimal OTLP/HTTP endpoint on loopback that keeps every protobuf payload it is sent, so a
/// test can find what another process exported (ids appear in protobuf as their raw bytes).
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();
    private readonly Task _loop;

    public OtlpReceiver()
    {
        Port = TestRedis.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>True once a trace payload holds every one of <paramref name="parts"/>.</summary>
    public bool HasTraceWith(params byte[][] parts) =>
        _received.Any(r => r.Path.EndsWith("/v1/traces", StringComparison.Ordinal) && parts.All(p => r.Body.AsSpan().IndexOf(p) >= 0));

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return; // stopped
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
