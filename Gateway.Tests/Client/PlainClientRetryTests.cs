using System.Net;
using System.Text;
using Gateway.Client;

namespace Gateway.Tests.Client;

/// <summary>
/// The client made without dependency injection (as gw makes it) retries with the same body and
/// key too. A scripted HTTP listener answers 503 first, which a real API cannot be made to do on cue.
/// </summary>
[TestFixture]
public sealed class PlainClientRetryTests
{
    [Test]
    public async Task SubmitAsync_Two503sWithRetryAfter_ThenAccepted_SendsTheSameBodyAndKeyThreeTimes()
    {
        var port = TestRedis.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var seen = new List<(string? Key, string Body)>();
        var server = Task.Run(async () =>
        {
            for (var i = 0; i < 3; i++)
            {
                var context = await listener.GetContextAsync();
                using var reader = new StreamReader(context.Request.InputStream);
                seen.Add((context.Request.Headers["Idempotency-Key"], await reader.ReadToEndAsync()));
                var response = context.Response;
                if (i < 2)
                {
                    response.StatusCode = 503;
                    response.AddHeader("Retry-After", "0");
                    response.ContentType = "application/problem+json";
                    await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes("""{"title":"The task store is unavailable; try again shortly.","status":503}"""));
                }
                else
                {
                    response.StatusCode = 202;
                    response.ContentType = "application/json";
                    await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes("""{"id":"abc","circle":"c","status":"pending","output":"","attempts":0,"createdAt":"2026-11-28T02:00:00.000Z"}"""));
                }
                response.Close();
            }
        });
        using var client = new GatewayClient(new GatewayClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{port}"), RetryDelay = TimeSpan.FromMilliseconds(10) });

        var task = await client.SubmitAsync("c", "1 + 1", new { a = 1 });
        await server;

        Assert.That(task.Id, Is.EqualTo("abc"));
        Assert.That(task.Status, Is.EqualTo(GatewayTaskStatus.Pending));
        Assert.That(seen, Has.Count.EqualTo(3));
        Assert.That(seen.Select(s => s.Key).Distinct().Single(), Does.StartWith("gwc-"));
        Assert.That(seen.Select(s => s.Body).Distinct().Single(), Is.EqualTo("""{"script":"1 \u002B 1","args":{"a":1}}"""));
    }

    /// <summary>The calls the API keeps no idempotency key for: each sent twice would make its tasks twice.</summary>
    private static Task Unrepeatable(GatewayClient client, string call) => call switch
    {
        "batch" => client.SubmitBatchAsync("c", [new TaskSubmission("1")]),
        "retry" => client.RetryAsync("c", "0123456789abcdef0123456789abcdef"),
        "retry-failed" => client.RetryFailedAsync("c"),
        _ => throw new ArgumentOutOfRangeException(nameof(call)),
    };

    [TestCase("batch")]
    [TestCase("retry")]
    [TestCase("retry-failed")]
    public async Task AnUnrepeatableCall_ConnectionDropsAfterTheBodyWasSent_IsNotSentAgain(string call)
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var received = 0;
        var server = Task.Run(async () =>
        {
            while (true)
            {
                using var socket = await listener.AcceptSocketAsync();
                await ReadRequestAsync(socket);
                Interlocked.Increment(ref received);
                // The batch arrived but its answer is lost (a reset): a retry could submit every task twice.
                socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
                socket.Close();
            }
        });
        using var client = new GatewayClient(new GatewayClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{port}"), RetryDelay = TimeSpan.FromMilliseconds(10) });

        Assert.That(async () => await Unrepeatable(client, call), Throws.InstanceOf<HttpRequestException>());
        await Task.Delay(300);

        Assert.That(received, Is.EqualTo(1));
        Assert.That(server.IsFaulted, Is.False);
    }

    [TestCase("batch")]
    [TestCase("retry")]
    [TestCase("retry-failed")]
    public async Task AnUnrepeatableCall_Answered503_IsNotSentAgain_ThoughASubmitIs(string call)
    {
        // A 503 may come after the tasks were stored (Redis failed while the API read them back):
        // a submit is sent again under its Idempotency-Key (above), these calls are not.
        var port = TestRedis.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var received = 0;
        var server = Task.Run(async () =>
        {
            while (true)
            {
                var context = await listener.GetContextAsync();
                Interlocked.Increment(ref received);
                var response = context.Response;
                response.StatusCode = 503;
                response.AddHeader("Retry-After", "0");
                response.ContentType = "application/problem+json";
                await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes("""{"title":"The task store is unavailable; try again shortly.","status":503}"""));
                response.Close();
            }
        });
        using var client = new GatewayClient(new GatewayClientOptions { BaseAddress = new Uri($"http://127.0.0.1:{port}"), RetryDelay = TimeSpan.FromMilliseconds(10) });

        var thrown = await Assert.ThrowsAsync<GatewayApiException>(async () => await Unrepeatable(client, call));
        await Task.Delay(300);

        Assert.That(thrown!.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(received, Is.EqualTo(1));
        Assert.That(server.IsFaulted, Is.False);
    }

    /// <summary>Reads one HTTP request: its headers, then as many body bytes as Content-Length says.</summary>
    private static async Task ReadRequestAsync(System.Net.Sockets.Socket socket)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length));
            if (read == 0)
                return;
            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
                continue;
            var header = text[..end].Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            var body = header is null ? 0 : int.Parse(header["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            if (length >= end + 4 + body)
                return;
        }
    }
}
