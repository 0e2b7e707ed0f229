using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Bench;

/// <summary>
/// Load through the HTTP API of a running gateway. <c>sync</c>: each client submits with
/// <c>?wait</c> and times the answer. <c>async</c>: submit everything, then collect every result.
/// <c>batch</c>: like async, submitting through the batch endpoint.
/// </summary>
internal sealed class LoadBench(BenchOptions options)
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = new Uri(options.Url),
        Timeout = TimeSpan.FromSeconds(120),
    };

    private bool _warmedUp;

    private string Circle => options.Circle;

    private object Body(int i) => new { script = options.Script, args = new { a = i, b = 1 } };

    /// <summary>Warms up the first time (JIT, connections, the script cache), then measures one run of <paramref name="mode"/>.</summary>
    public async Task<object> RunAsync(string mode, int clients)
    {
        if (!_warmedUp)
        {
            await SyncAsync(8, options.Warmup);
            _warmedUp = true;
        }
        return await Measurement.RunAsync(mode, options, clients, () => mode switch
        {
            "sync" => SyncAsync(clients, options.Count),
            "async" => AsyncAsync(clients, batch: 1),
            "batch" => AsyncAsync(clients, batch: options.Batch),
            _ => throw new ArgumentException($"unknown mode {mode}"),
        });
    }

    private Task<List<double>> SyncAsync(int clients, int count) => Measurement.ClosedLoopAsync(clients, count, async i =>
    {
        using var response = await _http.PostAsJsonAsync($"/api/circles/{Circle}/tasks?wait=30", Body(i));
        var body = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != 200 || !body.Contains("\"completed\"", StringComparison.Ordinal))
            throw new InvalidOperationException($"task {i}: {(int)response.StatusCode} {body}");
    });

    /// <summary>Latency here is submit-to-result of each task, as its collector saw it.</summary>
    private async Task<List<double>> AsyncAsync(int clients, int batch)
    {
        var submitted = new ConcurrentQueue<(string Id, long At)>();
        var next = -batch;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int first;
            while ((first = Interlocked.Add(ref next, batch)) < options.Count)
            {
                var size = Math.Min(batch, options.Count - first);
                var at = Stopwatch.GetTimestamp();
                if (batch == 1)
                {
                    using var response = await _http.PostAsJsonAsync($"/api/circles/{Circle}/tasks", Body(first));
                    var task = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                    submitted.Enqueue((task["id"]!.GetValue<string>(), at));
                }
                else
                {
                    using var response = await _http.PostAsJsonAsync($"/api/circles/{Circle}/tasks/batch",
                        new { tasks = Enumerable.Range(first, size).Select(Body).ToArray() });
                    var tasks = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["tasks"]!.AsArray();
                    foreach (var task in tasks)
                        submitted.Enqueue((task!["id"]!.GetValue<string>(), at));
                }
            }
        }));

        var latencies = new ConcurrentBag<double>();
        await Parallel.ForEachAsync(submitted, new ParallelOptions { MaxDegreeOfParallelism = clients }, async (task, _) =>
        {
            var body = await _http.GetStringAsync($"/api/circles/{Circle}/tasks/{task.Id}?wait=60");
            if (!body.Contains("\"completed\"", StringComparison.Ordinal))
                throw new InvalidOperationException(body);
            latencies.Add(Stopwatch.GetElapsedTime(task.At).TotalMilliseconds);
        });
        return latencies.ToList();
    }
}

/// <summary>What a load run is told on the command line.</summary>
internal sealed record BenchOptions(
    string Url,
    string Circle,
    int Count,
    int Warmup,
    int Batch,
    string ScriptName,
    string Script,
    string? Redis,
    int? Pid,
    bool Monitor,
    int Concurrency);
