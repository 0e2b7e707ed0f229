using System.Diagnostics;
using Gateway.Core.Configuration;
using Gateway.Core.Queueing;
using Gateway.Scripting.Sandbox;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.Bench;

/// <summary>
/// <c>engine</c>: the script runner alone (no Redis, no HTTP; the domain modules installed, as in a worker), per script weight, with the parsed-script
/// cache on and off. Rounds are interleaved so both see the same machine noise; medians are reported.
/// </summary>
internal static class EngineBench
{
    public static async Task<object> RunAsync(int rounds, int perRound)
    {
        var cached = Runner(cacheEntries: 1000);
        var uncached = Runner(cacheEntries: 0);
        var cases = new (string Name, string Script)[]
        {
            ("trivial", Scripts.Trivial),
            ("200-line", Scripts.TwoHundredLines),
            ("fib(20)", Scripts.Fib20),
        };

        var results = new List<object>();
        foreach (var (name, script) in cases)
        {
            await Measure(cached, script, 50); // warm-up: JIT and the cache entry
            await Measure(uncached, script, 50);
            var on = new List<double>();
            var off = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                on.Add(await Measure(cached, script, perRound));
                off.Add(await Measure(uncached, script, perRound));
            }
            var cachedUs = Median(on);
            var uncachedUs = Median(off);
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            await Measure(cached, script, Math.Min(perRound, 1000));
            allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / Math.Min(perRound, 1000);
            results.Add(new
            {
                script = name,
                cachedMicroseconds = Math.Round(cachedUs, 1),
                uncachedMicroseconds = Math.Round(uncachedUs, 1),
                // What one run allocates (the parse cached): what the worker's garbage collector works through.
                cachedKiBAllocated = Math.Round(allocated / 1024.0, 1),
                saved = $"{(1 - cachedUs / uncachedUs) * 100:0}%",
            });
        }
        return new { mode = "engine", rounds, perRound, results };
    }

    /// <summary>A runner as the workers have it, with the domain modules installed (the scripts here call none).</summary>
    private static ScriptRunner Runner(int cacheEntries) =>
        new(Options.Create(new LimitsOptions { ScriptCacheEntries = cacheEntries }), NullLogger<ScriptRunner>.Instance, new UncalledStore());

    /// <summary>The modules need a store to be installed; these scripts never reach it.</summary>
    private sealed class UncalledStore : Gateway.Core.Models.IModelStore
    {
        public Task<string> CreateAsync(string circle, string kind, Func<long, string> build) => throw new NotSupportedException();
        public Task<string?> GetAsync(string circle, string kind, long id) => throw new NotSupportedException();
        public Task<IReadOnlyList<string>> ListAsync(string circle, string kind) => throw new NotSupportedException();
        public Task<Gateway.Core.Models.ModelPage> ListPageAsync(string circle, string kind, long after, int limit) => throw new NotSupportedException();
        public Task<string?> UpdateAsync(string circle, string kind, long id, Func<string, string> change) => throw new NotSupportedException();
        public Task<bool> DeleteAsync(string circle, string kind, long id) => throw new NotSupportedException();
        public Task<Gateway.Core.Models.ModelUsage> GetUsageAsync(string circle) => throw new NotSupportedException();
    }

    /// <summary>Mean microseconds per run over <paramref name="count"/> runs.</summary>
    private static async Task<double> Measure(ScriptRunner runner, string script, int count)
    {
        var task = new ClaimedTask(new TaskRecord { Id = "0", Circle = "bench", Status = TaskState.Processing, Attempts = 1, TimeoutMs = 5000 },
            script, """{"a":2,"b":3}""", "t");
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var outcome = await runner.RunAsync(task, CancellationToken.None);
            if (outcome.Status != TaskState.Completed)
                throw new InvalidOperationException($"{script[..Math.Min(40, script.Length)]}: {outcome.Error}");
        }
        return clock.Elapsed.TotalMicroseconds / count;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
