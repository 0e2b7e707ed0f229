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
        var received = 0;
        var (address, server) = RawServer(listener, (socket, _) =>
        {
            Interlocked.Increment(ref received);
            // The batch arrived but its answer is lost (a reset): a retry could submit every task twice.
            socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
            socket.Close();
            return Task.FromResult(false);
        });
        using var client = new GatewayClient(new GatewayClientOptions { BaseAddress = address, RetryDelay = TimeSpan.FromMilliseconds(10) });

        Assert.That(async () => await Unrepeatable(client, call), Throws.InstanceOf<HttpRequestException>());
        await Task.Delay(300);

        Assert.That(received, Is.EqualTo(1));
        Assert.That(server.IsFaulted, Is.False);
    }

    [TestCase("batch")]
    [TestCase("retry")]
    [TestCase("retry-failed")]
    public async Task AnUnrepeatableCall_ConnectionClosedWithoutAnAnswer_IsNotSentAgain(string call)
    {
        // The HTTP handler itself sends a bodiless request again, on a new connection, when the
        // server closes the connection in order before any answer; not one whose body it began sending.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        var posts = 0;
        var (address, server) = RawServer(listener, async (socket, request) =>
        {
            if (request.StartsWith("GET ", StringComparison.Ordinal))
            {
                const string circles = """{"circles":[]}""";
                await socket.SendAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {circles.Length}\r\n\r\n{circles}"));
                return true;
            }
            Interlocked.Increment(ref posts);
            // Closed in order, not reset: the answer is simply missing.
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Both);
            return false;
        });
        using var client = new GatewayClient(new GatewayClientOptions { BaseAddress = address, RetryDelay = TimeSpan.FromMilliseconds(10) });
        Assert.That(await client.ListCirclesAsync(), Is.Empty, "the connection is in the pool now");

        Assert.That(async () => await Unrepeatable(client, call), Throws.InstanceOf<HttpRequestException>());
        await Task.Delay(300);

        Assert.That(posts, Is.EqualTo(1));
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

    [Test]
    public async Task AStreamRefused_WithABodyThatIsNoProblemDetails_IsAGatewayApiException_WithTheBody()
    {
        // An event stream's answer is not read into memory first: the body must still be read once only.
        using var listener = new HttpListener();
        var (address, _, server) = Scripted(listener, (400, """["bad"]"""));
        using var client = new GatewayClient(new GatewayClientOptions { BaseAddress = address, RetryDelay = TimeSpan.FromMilliseconds(10) });

        var thrown = await Assert.ThrowsAsync<GatewayApiException>(async () =>
        {
            await foreach (var _ in client.WatchCircleAsync("c")) { }
        });
        await server;

        Assert.That(thrown!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(thrown.Detail, Is.EqualTo("""["bad"]"""));
    }

    [Test]
    public async Task AStreamAnsweredWithSomethingElse_IsAGatewayApiException_AndIsNotOpenedAgain()
    {
        using var listener = new HttpListener();
        var (address, seen, server) = Scripted(listener, (200, "{}"));
        using var client = new GatewayClient(new GatewayClientOptions { BaseAddress = address, RetryDelay = TimeSpan.FromMilliseconds(10) });

        var thrown = await Assert.ThrowsAsync<GatewayApiException>(async () =>
        {
            await foreach (var _ in client.WatchAsync("c", "0123456789abcdef0123456789abcdef")) { }
        });
        await server;

        Assert.That(thrown!.Title, Is.EqualTo("The answer was not an event stream."));
        Assert.That(thrown.Detail, Does.EndWith("application/json"));
        Assert.That(seen, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task AStreamThatBreaksAtOnceEveryTime_EndsWithAnHttpRequestException_AfterTheRetries()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        var opened = 0;
        var (address, server) = RawServer(listener, async (socket, _) =>
        {
            Interlocked.Increment(ref opened);
            // The head of an event stream, then the connection ends inside its chunked body.
            await socket.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"));
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Both);
            return false;
        });
        using var client = new GatewayClient(new GatewayClientOptions { BaseAddress = address, MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(10) });

        var thrown = await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            await foreach (var _ in client.WatchCircleAsync("c")) { }
        });

        Assert.That(thrown!.Message, Does.Contain("'api/circles/c/tasks/stream'"));
        Assert.That(opened, Is.EqualTo(3), "opened once, then again for each of the two retries");
        Assert.That(server.IsFaulted, Is.False);
    }

    [Test]
    public async Task ATaskStreamThatSaysTheSameStatusAndBreaks_EveryTime_EndsWithAnHttpRequestException_AfterTheRetries()
    {
        // Each opening of a task's stream begins with the task as it stands: that is no sign the
        // stream works, or a stream that breaks after it would be opened again for ever.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        var opened = 0;
        var (address, server) = RawServer(listener, async (socket, _) =>
        {
            Interlocked.Increment(ref opened);
            const string status = "event: status\ndata: {\"id\":\"0123456789abcdef0123456789abcdef\",\"circle\":\"c\",\"status\":\"processing\"," +
                "\"output\":\"\",\"attempts\":1,\"createdAt\":\"2026-11-28T02:00:00.000Z\"}\n\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n" +
                $"{status.Length:x}\r\n{status}\r\n"));
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Both);
            return false;
        });
        using var client = new GatewayClient(new GatewayClientOptions { BaseAddress = address, MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(10) });
        var seen = new List<GatewayTaskStatus>();
        // Should it open the stream for ever again, the test ends (as a failure) instead of hanging.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var thrown = await Assert.ThrowsAsync<HttpRequestException>(async () =>
        {
            await foreach (var change in client.WatchAsync("c", "0123456789abcdef0123456789abcdef", bound.Token))
                seen.Add(change.Status);
        });

        Assert.That(thrown!.Message, Does.Contain("'api/circles/c/tasks/0123456789abcdef0123456789abcdef/events'"));
        Assert.That(seen, Is.EqualTo(new[] { GatewayTaskStatus.Processing }), "the status once, not once per opening");
        Assert.That(opened, Is.EqualTo(3));
        Assert.That(server.IsFaulted, Is.False);
    }

    /// <summary>
    /// Answers each request with the next of <paramref name="answers"/> (status and JSON body) and
    /// records its method and path; 502s say <c>Retry-After: 0</c>, as a proxy whose upstream answer was lost.
    /// </summary>
    private static (Uri Address, List<string> Seen, Task Server) Scripted(HttpListener listener, params (int Status, string Body)[] answers)
    {
        var port = TestRedis.FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var seen = new List<string>();
        var server = Task.Run(async () =>
        {
            foreach (var (status, body) in answers)
            {
                var context = await listener.GetContextAsync();
                seen.Add($"{context.Request.HttpMethod} {context.Request.Url!.AbsolutePath}");
                var response = context.Response;
                response.StatusCode = status;
                if (status == 502)
                    response.AddHeader("Retry-After", "0");
                response.ContentType = status < 300 ? "application/json" : "application/problem+json";
                await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body));
                response.Close();
            }
        });
        return (new Uri($"http://127.0.0.1:{port}"), seen, server);
    }

    private const string BadGateway = """{"title":"Bad gateway","status":502}""";
    private const string NotFound = """{"title":"Not found","status":404}""";

    private static Task Delete(GatewayClient client, string what) => what switch
    {
        "script" => client.DeleteScriptAsync("c", "vat"),
        "schedule" => client.DeleteScheduleAsync("c", "nightly"),
        _ => throw new ArgumentOutOfRangeException(nameof(what)),
    };

    [TestCase("script")]
    [TestCase("schedule")]
    public async Task ADelete_SentAgainAfterItsAnswerWasLost_FindingItGone_Succeeds_ButAFirst404Throws(string what)
    {
        // The first attempt deleted it, and a proxy lost the answer (502): the second finds nothing, which is what was asked.
        using (var listener = new HttpListener())
        {
            var (address, seen, server) = Scripted(listener, (502, BadGateway), (404, NotFound));
            using var client = new GatewayClient(new GatewayClientOptions { BaseAddress = address, RetryDelay = TimeSpan.FromMilliseconds(10) });

            await Delete(client, what);
            await server.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.That(seen, Has.Count.EqualTo(2));
            Assert.That(seen.Distinct().Single(), Does.StartWith("DELETE /api/circles/c/"));
        }
        using (var listener = new HttpListener())
        {
            var (address, _, server) = Scripted(listener, (404, NotFound));
            using var client = new GatewayClient(new GatewayClientOptions { BaseAddress = address, RetryDelay = TimeSpan.FromMilliseconds(10) });

            var thrown = await Assert.ThrowsAsync<GatewayApiException>(async () => await Delete(client, what));
            await server.WaitAsync(TimeSpan.FromSeconds(10));

            Assert.That(thrown!.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "a delete of what never was is still a 404");
        }
    }

    [TestCase("cancelled", null)]
    [TestCase("completed", HttpStatusCode.Conflict)]
    public async Task ACancel_SentAgainAfterItsAnswerWasLost_AndMeeting409_ReadsTheTask(string status, HttpStatusCode? thrownStatus)
    {
        const string id = "0123456789abcdef0123456789abcdef";
        var task = $$"""{"id":"{{id}}","circle":"c","status":"{{status}}","output":"","attempts":1,"createdAt":"2026-11-28T02:00:00.000Z"}""";
        using var listener = new HttpListener();
        var (address, seen, server) = Scripted(listener,
            (502, BadGateway), (409, """{"title":"The task has already finished.","status":409}"""), (200, task));
        using var client = new GatewayClient(new GatewayClientOptions { BaseAddress = address, RetryDelay = TimeSpan.FromMilliseconds(10) });

        if (thrownStatus is null)
        {
            // The first attempt cancelled it: the task is as asked.
            var cancelled = await client.CancelAsync("c", id);
            Assert.That(cancelled.Status, Is.EqualTo(GatewayTaskStatus.Cancelled));
        }
        else
        {
            // It had finished before: the cancel did not happen, and the 409 says so.
            var thrown = await Assert.ThrowsAsync<GatewayApiException>(async () => await client.CancelAsync("c", id));
            Assert.That(thrown!.StatusCode, Is.EqualTo(thrownStatus));
        }
        await server.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(seen, Is.EqualTo(new[] { $"DELETE /api/circles/c/tasks/{id}", $"DELETE /api/circles/c/tasks/{id}", $"GET /api/circles/c/tasks/{id}" }));
    }

    /// <summary>Reads one HTTP request: its headers, then as many body bytes as Content-Length says.</summary>
    /// <summary>
    /// A server below HTTP: each request read from a connection goes to <paramref name="answer"/>,
    /// which answers on the socket as it likes and says whether to read the next one from it.
    /// </summary>
    private static (Uri Address, Task Server) RawServer(System.Net.Sockets.TcpListener listener,
        Func<System.Net.Sockets.Socket, string, Task<bool>> answer)
    {
        listener.Start();
        var address = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        var server = Task.Run(async () =>
        {
            while (true)
            {
                using var socket = await listener.AcceptSocketAsync();
                while (await ReadRequestAsync(socket) is { } request && await answer(socket, request))
                {
                }
            }
        });
        return (address, server);
    }

    /// <summary>One request's text (head and body) from the socket; null when the peer closed it first.</summary>
    private static async Task<string?> ReadRequestAsync(System.Net.Sockets.Socket socket)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length));
            if (read == 0)
                return null;
            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end < 0)
                continue;
            var header = text[..end].Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            var body = header is null ? 0 : int.Parse(header["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            if (length >= end + 4 + body)
                return text;
        }
    }
}
