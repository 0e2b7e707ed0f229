using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Core.Redis;
using StackExchange.Redis;

namespace Gateway.Bench;

internal sealed record DelayedSettings(int Rounds, int Count, int SpreadMs, int LeadMs, int Concurrency, int IdleSeconds);

/// <summary>
/// Delayed tasks: how long after its due time each task becomes <c>pending</c>. A redis-server,
/// an Api without workers and two worker-only processes (each with its own promoter), as the
/// time tests run them. Each round submits <c>--count</c> tasks in one batch with <c>runAt</c>
/// spread over <c>--spread</c> ms, in shuffled order, starting <c>--lead</c> ms after the submit.
/// <para>
/// Nothing in the task's record says when it was promoted, so the time is taken from Redis
/// itself: MONITOR stamps every command with the server's clock, among them the
/// <c>PUBLISH "id pending"</c> that promote.lua runs in the same atomic step as the move. The
/// bench's own subscription to the circle's events channel gives a second figure, which adds
/// this process's delay in hearing the message. Both clocks are the machine's wall clock, the
/// one the due times are read from. MONITOR slows Redis, which matters little at these rates.
/// </para>
/// </summary>
internal static class DelayedBench
{
    public static async Task<object> RunAsync(DelayedSettings settings)
    {
        using var launcher = new Launcher();
        var redis = await launcher.StartRedisAsync();
        await launcher.StartApiAsync(settings.Concurrency, workers: false, redis);
        await launcher.StartWorkerAsync(settings.Concurrency, redis);
        await launcher.StartWorkerAsync(settings.Concurrency, redis);
        using var http = new HttpClient { BaseAddress = new Uri(launcher.Url!), Timeout = TimeSpan.FromSeconds(60) };
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);

        // Every process's path once (submit, promote, claim, run), so that no round measures the JIT.
        var warm = await RoundAsync(http, connection, redis, settings with { Count = 20, SpreadMs = 200 });
        Console.Error.WriteLine($"warm-up: p50 {warm.ServerMs.P50} ms, max {warm.ServerMs.Max} ms");

        var rounds = new List<Round>();
        for (var round = 1; round <= settings.Rounds; round++)
        {
            var result = await RoundAsync(http, connection, redis, settings);
            rounds.Add(result);
            Console.Error.WriteLine(
                $"round {round}: due → pending over {result.Tasks} tasks (server clock): min {result.ServerMs.Min}, p50 {result.ServerMs.P50}, "
                + $"p90 {result.ServerMs.P90}, p99 {result.ServerMs.P99}, max {result.ServerMs.Max} ms (promoter woke: p99 {result.WokeMs.P99}, "
                + $"max {result.WokeMs.Max} ms; sent: p99 {result.SentMs.P99}, max {result.SentMs.Max} ms; a timer here: p99 {result.ControlTimerMs.P99}, max {result.ControlTimerMs.Max} ms); pending twice {result.PendingTwice}");
        }

        var idle = await IdleAsync(http, redis, settings.IdleSeconds);

        double Median(Func<Round, double> pick) => Math.Round(Measurement.Median(rounds.Select(pick)), 1);
        return new
        {
            mode = "delayed",
            tasksPerRound = settings.Count,
            spreadMs = settings.SpreadMs,
            leadMs = settings.LeadMs,
            workerProcesses = 2,
            summary = new
            {
                rounds = rounds.Count,
                lagMs = new
                {
                    min = Median(r => r.ServerMs.Min),
                    p50 = Median(r => r.ServerMs.P50),
                    p90 = Median(r => r.ServerMs.P90),
                    p99 = Median(r => r.ServerMs.P99),
                    max = Median(r => r.ServerMs.Max),
                },
                wokeLagMs = new
                {
                    p50 = Median(r => r.WokeMs.P50),
                    p99 = Median(r => r.WokeMs.P99),
                    max = Median(r => r.WokeMs.Max),
                },
                sentMs = new
                {
                    p50 = Median(r => r.SentMs.P50),
                    p99 = Median(r => r.SentMs.P99),
                    max = Median(r => r.SentMs.Max),
                },
                controlTimerLagMs = new
                {
                    p50 = Median(r => r.ControlTimerMs.P50),
                    p99 = Median(r => r.ControlTimerMs.P99),
                    max = Median(r => r.ControlTimerMs.Max),
                },
                heardLagMs = new
                {
                    p50 = Median(r => r.HeardMs.P50),
                    p99 = Median(r => r.HeardMs.P99),
                    max = Median(r => r.HeardMs.Max),
                },
                pendingTwice = rounds.Sum(r => r.PendingTwice),
                neverPending = rounds.Sum(r => r.NeverPending),
            },
            idle,
            rounds = rounds.Select(r => new
            {
                tasks = r.Tasks,
                lagMs = r.ServerMs.ToJson(),
                heardLagMs = r.HeardMs.ToJson(),
                controlTimerLagMs = r.ControlTimerMs.ToJson(),
                wokeLagMs = r.WokeMs.ToJson(),
                sentMs = r.SentMs.ToJson(),
                pendingTwice = r.PendingTwice,
                neverPending = r.NeverPending,
                earlyPromotions = r.EarlyPromotions,
                promoteRuns = r.PromoteRuns,
                promoteRunsOfOneProcess = r.PromoteRunsPerProcess,
                slowest = r.Slowest,
            }),
        };
    }

    internal sealed record Lags(double Min, double P50, double P90, double P99, double Max)
    {
        public static Lags Of(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            // Nearest rank, as the time test counts: p99 of 200 is the 198th.
            double P(double q) => sorted.Length == 0 ? double.NaN : Math.Round(sorted[Math.Max(0, (int)Math.Ceiling(q * sorted.Length) - 1)], 1);
            return new Lags(P(0), P(0.50), P(0.90), P(0.99), P(1.0));
        }

        public object ToJson() => new { min = Min, p50 = P50, p90 = P90, p99 = P99, max = Max };
    }

    /// <param name="ServerMs">Due time to the "id pending" that Redis published, on Redis's clock: the figure.</param>
    /// <param name="HeardMs">Due time to this process hearing that message.</param>
    /// <param name="ControlTimerMs">How late a timer in this process woke for the same due times.</param>
    /// <param name="WokeMs">Due time to the "now" of the promote run that moved the task: how late its promoter acted.</param>
    /// <param name="SentMs">That "now" to Redis running the run: the way from the promoter to Redis (ms rounding included).</param>
    /// <param name="Slowest">The slowest tasks: due time after the first, and the three parts.</param>
    internal sealed record Round(
        int Tasks, Lags ServerMs, Lags HeardMs, Lags ControlTimerMs, Lags WokeMs, Lags SentMs, int PendingTwice, int NeverPending, int PromoteRuns,
        int PromoteRunsPerProcess, int EarlyPromotions, object[] Slowest);

    private static async Task<Round> RoundAsync(HttpClient http, ConnectionMultiplexer connection, string redis, DelayedSettings settings)
    {
        var circle = $"delayed-{Guid.NewGuid():N}"[..20];
        var heard = new ConcurrentQueue<(string Id, string Word, DateTimeOffset At)>();
        var subscriber = connection.GetSubscriber();
        var channel = RedisChannel.Literal(RedisKeys.Events(circle));
        var messages = await subscriber.SubscribeAsync(channel);
        // OnMessage keeps the order of publication and runs the handler as soon as each arrives.
        messages.OnMessage(message =>
        {
            var parts = ((string?)message.Message ?? "").Split(' ', 3);
            if (parts.Length >= 2)
                heard.Enqueue((parts[0], parts[1], DateTimeOffset.UtcNow));
        });
        using var monitor = await Monitor.StartAsync(redis);

        // Whole milliseconds, as the server stores them, so that the lag is measured from the stored due time.
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + settings.LeadMs;
        var due = Enumerable.Range(0, settings.Count)
            .Select(i => DateTimeOffset.FromUnixTimeMilliseconds(start + (long)(i * (double)settings.SpreadMs / settings.Count)))
            .OrderBy(_ => Random.Shared.Next())
            .ToArray();
        var response = await http.PostJsonAsync($"/api/circles/{circle}/tasks/batch",
            new { tasks = due.Select(at => new { script = "task.attempt", runAt = at }).ToArray() });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"batch submit answered {(int)response.StatusCode}: {body}");
        var tasks = body!["tasks"]!.AsArray();
        var ids = tasks.Select(t => t!["id"]!.GetValue<string>()).ToArray();
        var notScheduled = tasks.Count(t => t!["status"]!.GetValue<string>() != "scheduled");
        if (notScheduled > 0)
            throw new InvalidOperationException($"{notScheduled} tasks were not scheduled: the lead ({settings.LeadMs} ms) is too short for the submit");

        // A control: a timer in this process sleeping until each due time in turn, as a promoter does.
        // Its lateness is what the machine does to any sleeper at that moment.
        var control = Task.Run(async () =>
        {
            var late = new List<double>();
            foreach (var at in due.Order())
            {
                var wait = Math.Ceiling((at - DateTimeOffset.UtcNow).TotalMilliseconds);
                if (wait > 0)
                    await Task.Delay(TimeSpan.FromMilliseconds(wait));
                late.Add((DateTimeOffset.UtcNow - at).TotalMilliseconds);
            }
            return late;
        });
        var limit = DateTimeOffset.UtcNow.AddMilliseconds(settings.LeadMs + settings.SpreadMs + 20_000);
        while (heard.Count(h => h.Word == "completed") < ids.Length && DateTimeOffset.UtcNow < limit)
            await Task.Delay(50);
        await Task.Delay(500); // a task moved twice would have shown by now
        var stamped = monitor.Stop();
        await subscriber.UnsubscribeAsync(channel);

        var published = stamped.Pending.Where(p => p.Channel == RedisKeys.Events(circle)).ToLookup(p => p.Id, p => (p.At, p.By));
        var heardPending = heard.Where(h => h.Word == "pending").ToLookup(h => h.Id, h => h.At);
        var server = new List<double>();
        var heardLags = new List<double>();
        var woke = new List<double>();
        var sent = new List<double>();
        var slowest = new List<(double Lag, object What)>();
        var first = due.Min();
        var promotes = stamped.Promotes.Where(p => p.Circle == circle).ToArray();
        var twice = 0;
        var never = 0;
        for (var i = 0; i < ids.Length; i++)
        {
            var times = published[ids[i]].ToArray();
            if (times.Length == 0)
            {
                never++;
                continue;
            }
            if (times.Length > 1)
                twice++;
            var (at, by) = times[0];
            var lag = (at - due[i]).TotalMilliseconds;
            server.Add(lag);
            woke.Add((by.Now - due[i]).TotalMilliseconds);
            sent.Add((by.At - by.Now).TotalMilliseconds);
            slowest.Add((lag, new
            {
                dueAfterFirstMs = (due[i] - first).TotalMilliseconds,
                lagMs = Math.Round(lag, 1),
                wokeMs = Math.Round((by.Now - due[i]).TotalMilliseconds, 1),
                sentMs = Math.Round((by.At - by.Now).TotalMilliseconds, 1),
                by = by.Client,
                // Every promote run on the circle from just before the due time to the move: when
                // each promoter acted ("now" after the due time) and when Redis ran it.
                runs = promotes.Where(p => p.At >= due[i].AddMilliseconds(-30) && p.At <= at)
                    .Select(p => $"{p.Client} now {(p.Now - due[i]).TotalMilliseconds:0} ran {(p.At - due[i]).TotalMilliseconds:0.0}").ToArray(),
            }));
            if (heardPending[ids[i]].FirstOrDefault() is var heardAt && heardAt != default)
                heardLags.Add((heardAt - due[i]).TotalMilliseconds);
        }
        return new Round(
            Tasks: ids.Length,
            ServerMs: Lags.Of(server),
            HeardMs: Lags.Of(heardLags),
            ControlTimerMs: Lags.Of(await control),
            WokeMs: Lags.Of(woke),
            SentMs: Lags.Of(sent),
            PendingTwice: twice,
            NeverPending: never,
            PromoteRuns: promotes.Length,
            PromoteRunsPerProcess: promotes.GroupBy(p => p.Client).Select(g => g.Count()).DefaultIfEmpty().Max(),
            EarlyPromotions: server.Count(l => l < 0),
            Slowest: slowest.OrderByDescending(s => s.Lag).Take(5).Select(s => s.What).ToArray());
    }

    /// <summary>
    /// The Redis commands the three processes send while nothing is due: one task is scheduled an
    /// hour ahead (so every promoter knows a due time), then MONITOR counts for a while.
    /// </summary>
    private static async Task<object> IdleAsync(HttpClient http, string redis, int seconds)
    {
        var circle = $"delayed-{Guid.NewGuid():N}"[..20];
        var response = await http.PostJsonAsync($"/api/circles/{circle}/tasks", new { script = "0", delayMs = 3_600_000 });
        response.EnsureSuccessStatusCode();
        await Task.Delay(1000); // the promoters' looks at the new task
        using var monitor = await Monitor.StartAsync(redis);
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var stamped = monitor.Stop();
        return new
        {
            seconds,
            circles = stamped.Promotes.Select(p => p.Circle).Distinct().Count(),
            promoteRuns = stamped.Promotes.Count,
            promoteRunsByProcess = stamped.Promotes.GroupBy(p => p.Client).ToDictionary(g => g.Key, g => g.Count()),
            commandsFromClients = stamped.FromClients,
            byCommand = stamped.ClientCommands.OrderByDescending(c => c.Value).ToDictionary(c => c.Key, c => c.Value),
        };
    }

    /// <summary>One promote.lua run: the circle, the client that sent it, when Redis ran it, and the "now" its promoter sent (whole ms).</summary>
    internal sealed record Promote(string Circle, string Client, DateTimeOffset At, DateTimeOffset Now);

    /// <summary>
    /// MONITOR on a connection of its own, keeping what this bench needs: the server's time of each
    /// <c>"id pending"</c> published by a script, and each promote.lua run (the only script whose
    /// first of 11 keys is a scheduled set) with the client that sent it.
    /// </summary>
    private sealed class Monitor : IDisposable
    {
        private readonly TcpClient _tcp;
        private readonly Task _reading;
        private readonly CancellationTokenSource _stop = new();
        private readonly Stamped _stamped = new();
        private Promote? _last;

        private Monitor(TcpClient tcp)
        {
            _tcp = tcp;
            _reading = Task.Run(ReadAsync);
        }

        internal sealed class Stamped
        {
            /// <summary>Each "id pending" with the promote.lua run it came from (the promote line just before it: a script runs alone).</summary>
            public List<(string Channel, string Id, DateTimeOffset At, Promote By)> Pending { get; } = [];

            public List<Promote> Promotes { get; } = [];

            public Dictionary<string, long> ClientCommands { get; } = [];

            public long FromClients { get; set; }
        }

        public static async Task<Monitor> StartAsync(string endpoint)
        {
            var colon = endpoint.LastIndexOf(':');
            var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture));
            await tcp.GetStream().WriteAsync("MONITOR\r\n"u8.ToArray());
            var monitor = new Monitor(tcp);
            await Task.Delay(200);
            return monitor;
        }

        private async Task ReadAsync()
        {
            const string scheduled = RedisKeys.Prefix + "scheduled:{";
            using var reader = new StreamReader(_tcp.GetStream(), Encoding.UTF8);
            try
            {
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    // +1700000000.123456 [0 127.0.0.1:5000] "EVALSHA" "sha" "11" "rhai:scheduled:{c}" ...
                    // +1700000000.123456 [0 lua] "PUBLISH" "rhai:events:{c}" "id pending"
                    var open = line.IndexOf(" [", StringComparison.Ordinal);
                    var close = line.IndexOf(']', StringComparison.Ordinal);
                    if (!line.StartsWith('+') || open < 0 || close < open)
                        continue;
                    var source = line[(open + 2)..close].Split(' ', 2)[^1];
                    var words = Arguments(line.AsSpan(close + 1));
                    if (words.Count == 0)
                        continue;
                    var command = words[0].ToLowerInvariant();
                    if (source == "lua")
                    {
                        if (command == "publish" && words.Count == 3 && words[2].EndsWith(" pending", StringComparison.Ordinal))
                        {
                            _stamped.Pending.Add((words[1], words[2][..^" pending".Length], Time(line[1..open]), _last!));
                        }
                        continue;
                    }
                    if (command is "monitor" or "info")
                        continue;
                    _stamped.FromClients++;
                    _stamped.ClientCommands[command] = _stamped.ClientCommands.GetValueOrDefault(command) + 1;
                    // EVALSHA sha 11 scheduled lane×10 prefix channel now most
                    if (command is "evalsha" or "eval" && words.Count == 18 && words[2] == "11" && words[3].StartsWith(scheduled, StringComparison.Ordinal))
                    {
                        _last = new Promote(words[3][scheduled.Length..^1], source, Time(line[1..open]),
                            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(words[16], CultureInfo.InvariantCulture)));
                        _stamped.Promotes.Add(_last);
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        private static DateTimeOffset Time(string seconds) =>
            DateTimeOffset.UnixEpoch.AddTicks((long)(decimal.Parse(seconds, CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond));

        /// <summary>The quoted arguments of a MONITOR line, unescaped enough to compare (\" and \\).</summary>
        private static List<string> Arguments(ReadOnlySpan<char> text)
        {
            var words = new List<string>();
            var word = new StringBuilder();
            var quoted = false;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (!quoted)
                {
                    quoted = c == '"';
                    continue;
                }
                if (c == '\\' && i + 1 < text.Length)
                {
                    word.Append(text[++i]);
                }
                else if (c == '"')
                {
                    words.Add(word.ToString());
                    word.Clear();
                    quoted = false;
                }
                else
                {
                    word.Append(c);
                }
            }
            return words;
        }

        public Stamped Stop()
        {
            Thread.Sleep(300); // let the last lines arrive
            _stop.Cancel();
            _tcp.Close();
            _reading.Wait(TimeSpan.FromSeconds(5));
            return _stamped;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _tcp.Dispose();
        }
    }
}
