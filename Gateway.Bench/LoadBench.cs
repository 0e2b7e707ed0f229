using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Bench;

/// <summary>
/// Load through the HTTP API of a running gateway. <c>sync</c>: each client submits with
/// <c>?wait</c> and times the answer. <c>async</c>: each client submits without waiting (202)
/// while one reader collects every result from the circle stream. <c>batch</c>: each client
/// submits <c>--batch</c> tasks in one request with <c>?wait</c> and gets them all back finished.
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
            await WarmUpAsync();
        return await Measurement.RunAsync(mode, options, clients, () => mode switch
        {
            "sync" => SyncAsync(clients, options.Count),
            "async" => StreamedAsync(clients),
            "batch" => BatchAsync(clients),
            _ => throw new ArgumentException($"unknown mode {mode}"),
        });
    }

    public async Task WarmUpAsync()
    {
        await SyncAsync(8, options.Warmup);
        _warmedUp = true;
    }

    /// <summary>
    /// After the warm-up, submit-and-wait runs of <see cref="BenchOptions.Count"/> tasks at 64
    /// clients until one leaves the runtimes of the processes in <paramref name="metricsUrls"/>
    /// compiling fewer than <paramref name="settledMethods"/> methods each on average, at most
    /// <paramref name="maxRuns"/> runs. Tiered compilation goes on for tens of thousands of tasks,
    /// and a setup measured before it settles is measured at a disadvantage. Returns the tasks run.
    /// </summary>
    public async Task<int> SettleAsync(IReadOnlyList<string> metricsUrls, int settledMethods = 100, int maxRuns = 8)
    {
        if (!_warmedUp)
            await WarmUpAsync();
        var tasks = options.Warmup;
        var before = await CompiledMethodsAsync(metricsUrls);
        for (var run = 1; run <= maxRuns; run++)
        {
            await SyncAsync(64, options.Count);
            tasks += options.Count;
            // The Prometheus exporter answers a scrape from its cache for 300 ms: a short run
            // would read the same figures twice.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            var after = await CompiledMethodsAsync(metricsUrls);
            Console.Error.WriteLine($"settling {options.Url}: {after - before} methods compiled in {options.Count} tasks");
            if (after - before < settledMethods * metricsUrls.Count)
                break;
            before = after;
        }
        return tasks;
    }

    private static async Task<long> CompiledMethodsAsync(IReadOnlyList<string> urls)
    {
        long total = 0;
        foreach (var url in urls)
            total += (await ApiMetrics.ReadRequiredAsync(url)).CompiledMethods;
        return total;
    }

    /// <summary>Submit-and-wait from <paramref name="clients"/> callers for <paramref name="duration"/>; returns tasks/s. Used on a cold process, to see the warm-up.</summary>
    public async Task<double> SyncForAsync(int clients, TimeSpan duration)
    {
        var done = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
        {
            for (var i = c; clock.Elapsed < duration; i += clients)
            {
                await SubmitAndWaitAsync(i);
                Interlocked.Increment(ref done);
            }
        }));
        return Math.Round(done / clock.Elapsed.TotalSeconds);
    }

    private Task<List<double>> SyncAsync(int clients, int count) => Measurement.ClosedLoopAsync(clients, count, SubmitAndWaitAsync);

    private async Task SubmitAndWaitAsync(int i)
    {
        using var response = await _http.PostJsonAsync($"/api/circles/{Circle}/tasks?wait=30", Body(i));
        var body = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != 200 || !body.Contains("\"completed\"", StringComparison.Ordinal))
            throw new InvalidOperationException($"task {i}: {(int)response.StatusCode} {body}");
    }

    /// <summary>Latency is each batch's round trip, counted once per task in it.</summary>
    private async Task<List<double>> BatchAsync(int clients)
    {
        var latencies = new ConcurrentBag<double>();
        var next = -options.Batch;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int first;
            while ((first = Interlocked.Add(ref next, options.Batch)) < options.Count)
            {
                var size = Math.Min(options.Batch, options.Count - first);
                var at = Stopwatch.GetTimestamp();
                using var response = await _http.PostJsonAsync($"/api/circles/{Circle}/tasks/batch?wait=60",
                    new { tasks = Enumerable.Range(first, size).Select(Body).ToArray() });
                var tasks = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["tasks"]!.AsArray();
                var took = Stopwatch.GetElapsedTime(at).TotalMilliseconds;
                foreach (var task in tasks)
                {
                    if (task!["status"]!.GetValue<string>() != "completed")
                        throw new InvalidOperationException(task.ToJsonString());
                    latencies.Add(took);
                }
            }
        }));
        return latencies.ToList();
    }

    /// <summary>
    /// Latency is submit-to-result of each task as the stream reader saw it. The reader is
    /// listening before the first submit; after a <c>resync</c> it asks for each task it still
    /// misses with a long-poll.
    /// </summary>
    private async Task<List<double>> StreamedAsync(int clients)
    {
        var submitted = new ConcurrentDictionary<string, long>();
        var finished = new ConcurrentDictionary<string, double>();
        var resynced = false;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/circles/{Circle}/tasks/stream");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        if (await reader.ReadLineAsync() is not { } opening || !opening.StartsWith(':'))
            throw new InvalidOperationException("the stream did not open");

        var early = new ConcurrentDictionary<string, long>();
        void Finished(string id, long when)
        {
            if (!submitted.TryGetValue(id, out var at))
            {
                // Finished before its submit's answer was read; counted when it is.
                early.TryAdd(id, when);
                if (!submitted.TryGetValue(id, out at))
                    return;
            }
            if (finished.TryAdd(id, Stopwatch.GetElapsedTime(at, when).TotalMilliseconds) && finished.Count == options.Count)
                all.TrySetResult();
        }

        var reading = Task.Run(async () =>
        {
            var resync = false;
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                if (line == "event: resync")
                    resync = resynced = true;
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && !resync)
                {
                    var task = JsonNode.Parse(line.AsSpan(6).ToString())!;
                    var status = task["status"]!.GetValue<string>();
                    if (status == "completed")
                        Finished(task["id"]!.GetValue<string>(), Stopwatch.GetTimestamp());
                    else if (status is "failed" or "cancelled")
                        all.TrySetException(new InvalidOperationException(line));
                }
                else if (line.Length == 0)
                    resync = false;
            }
        });

        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < options.Count)
            {
                var at = Stopwatch.GetTimestamp();
                using var submit = await _http.PostJsonAsync($"/api/circles/{Circle}/tasks", Body(i));
                if ((int)submit.StatusCode != 202)
                    throw new InvalidOperationException(await submit.Content.ReadAsStringAsync());
                var id = JsonNode.Parse(await submit.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
                submitted[id] = at;
                if (early.TryGetValue(id, out var when))
                    Finished(id, when);
            }
        }));

        // After a resync some results were not streamed: ask for those.
        var deadline = Task.Delay(TimeSpan.FromSeconds(2));
        while (finished.Count < options.Count && await Task.WhenAny(all.Task, deadline) != all.Task)
        {
            deadline = Task.Delay(TimeSpan.FromSeconds(2));
            await Parallel.ForEachAsync(submitted.Keys.Where(id => !finished.ContainsKey(id)).ToArray(),
                new ParallelOptions { MaxDegreeOfParallelism = clients }, async (id, _) =>
                {
                    var body = await _http.GetStringAsync($"/api/circles/{Circle}/tasks/{id}?wait=60");
                    if (!body.Contains("\"completed\"", StringComparison.Ordinal))
                        throw new InvalidOperationException(body);
                    Finished(id, Stopwatch.GetTimestamp());
                });
        }
        await all.Task;
        await stop.CancelAsync();
        try
        {
            await reading;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The reader stopped with the run.
        }
        if (resynced)
            Console.Error.WriteLine("the circle stream asked for a resync; missed tasks were long-polled");
        return finished.Values.ToList();
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
    int Concurrency)
{
    /// <summary>Worker-only processes, when the Api runs with its workers off.</summary>
    public int[] WorkerPids { get; init; } = [];
}
