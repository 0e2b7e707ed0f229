using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Reliability;

/// <summary>Schedules fired by real processes: an Api and two worker-only processes on one Redis, one of them killed.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ScheduleProcessTests
{
    [Test]
    public async Task AnEverySecondSchedule_ForTenSecondsOrMore_FiresOncePerSecond_NoSecondTwice_WhileAWorkerIsKilledAndRestarted()
    {
        var circle = TestRedis.NewCircle("cron");
        var settings = new Dictionary<string, string> { ["Gateway:Workers:Circles:0"] = circle };
        await using var api = await HostProcess.StartAsync("Gateway.Api", settings);
        await using var a = await HostProcess.StartWorkerAsync(settings);
        await using var b = await HostProcess.StartWorkerAsync(settings);
        using var client = api.CreateClient();
        HostProcess? restarted = null;

        try
        {
            var clock = Stopwatch.StartNew();
            var put = await GatewayClient.ReadAsync(await client.PutAsJsonAsync($"/api/circles/{circle}/schedules/tick",
                new { cron = "* * * * * *", script = "1", overlap = "allow" }));
            Assert.That(put.Status, Is.EqualTo(HttpStatusCode.Created), put.ToString());

            await Task.Delay(TimeSpan.FromSeconds(2) - clock.Elapsed);
            a.Kill();
            await a.WaitForExitAsync(TimeSpan.FromSeconds(10));
            restarted = await HostProcess.StartWorkerAsync(settings);
            var back = clock.Elapsed;
            // At least 10 s, and 2 s more once the restarted worker is back (a loaded machine may take long to start it).
            var window = back + TimeSpan.FromSeconds(2) > TimeSpan.FromSeconds(10) ? back + TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(10);
            await Task.Delay(window - clock.Elapsed);
            var deleted = await client.DeleteAsync($"/api/circles/{circle}/schedules/tick");
            var ran = clock.Elapsed;
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            TestContext.Progress.WriteLine($"worker killed at 2 s, back at {back.TotalSeconds:0.0} s; schedule deleted at {ran.TotalSeconds:0.00} s");

            var list = await GatewayClient.ReadAsync(await client.GetAsync($"/api/circles/{circle}/tasks?limit=100"));
            var created = list.Body!["tasks"]!.AsArray().Where(t => t!["scheduleName"]?.GetValue<string>() == "tick")
                .Select(t => t!["createdAt"]!.GetValue<DateTimeOffset>()).Order().ToArray();
            var seconds = created.Select(c => c.ToUnixTimeSeconds()).ToArray();
            var described = string.Join(", ", created.Select(c => c.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture)));
            TestContext.Progress.WriteLine($"{created.Length} firings in {ran.TotalSeconds:0.00} s: {described}");

            var expected = (int)Math.Round(ran.TotalSeconds);
            Assert.That(created, Has.Length.InRange(expected - 1, expected + 1), described);
            Assert.That(seconds, Is.Unique, described);
            Assert.That(created.Select(c => c.Millisecond), Is.All.LessThan(500), $"each firing is near its due second: {described}");
        }
        finally
        {
            if (restarted is not null)
                await restarted.DisposeAsync();
        }
    }

    /// <summary>
    /// A schedule in a zone this worker cannot work out (as one put by a process that knows more
    /// zones than this one): the worker leaves it to the others, and the circle's every-second
    /// schedule fires each second meanwhile, rather than waiting for the worker to try the other again.
    /// </summary>
    [Test]
    public async Task ADueScheduleInAZoneUnknownToAWorker_IsLeftToTheOthers_WhileTheCirclesOtherSchedulesFireOnTime()
    {
        var circle = TestRedis.NewCircle("zone");
        var store = new Gateway.Core.Redis.ScheduleStore(TestRedis.Connection, TimeProvider.System);
        var db = TestRedis.Connection.GetDatabase();
        await store.PutAsync(circle, "elsewhere", new Gateway.Core.Recurring.ScheduleDefinition(
            "* * * * *", "UTC", "1", null, null, "javascript", "null", 1000, Gateway.Core.Recurring.ScheduleOverlap.Allow, Enabled: true));
        var due = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeMilliseconds();
        await db.HashSetAsync(Gateway.Core.Redis.RedisKeys.Schedule(circle, "elsewhere"), [new("timeZone", "Mars/Olympus_Mons"), new("next", due)]);
        await db.SortedSetAddAsync(Gateway.Core.Redis.RedisKeys.Schedules(circle), "elsewhere", due);
        await store.PutAsync(circle, "tick", new Gateway.Core.Recurring.ScheduleDefinition(
            "* * * * * *", "UTC", "1", null, null, "javascript", "null", 1000, Gateway.Core.Recurring.ScheduleOverlap.Allow, Enabled: true));

        await using var worker = await HostProcess.StartWorkerAsync(new Dictionary<string, string> { ["Gateway:Workers:Circles:0"] = circle });
        // From the second second on: by then the worker has met the schedule it cannot work out.
        var from = DateTimeOffset.UtcNow.AddSeconds(2);
        await Task.Delay(TimeSpan.FromSeconds(8));
        var to = DateTimeOffset.UtcNow;

        var fired = await db.SortedSetLengthAsync(Gateway.Core.Redis.RedisKeys.Index(circle), from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds());
        var seconds = (to - from).TotalSeconds;
        TestContext.Progress.WriteLine($"tick fired {fired} times in {seconds:0.0} s");
        Assert.That(fired, Is.GreaterThanOrEqualTo((long)seconds - 2), $"the every-second schedule fired each second:\n{worker.Log}");
        var left = await store.GetAsync(circle, "elsewhere");
        Assert.That(left!.NextRunAt, Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(due)), "the schedule it cannot work out is left as it was");
        Assert.That(worker.Log, Does.Contain("schedule elsewhere is due, but its time zone is unknown to this process"));
    }

    /// <remarks>
    /// Counted by <c>INFO commandstats</c> of a redis-server of the test's own, whatever the suite's
    /// backend: the count is of what the gateway sends, and only Redis keeps these statistics
    /// (Garnet does not by default; a cluster spreads them over nodes).
    /// </remarks>
    [Test]
    public async Task Idle_WithOneScheduleAMinute_AndNothingDue_AWorkerCostsAtMostTwoCommandsPerSecond()
    {
        using var redis = OwnRedis.Start();
        var circle = TestRedis.NewCircle("idle");
        // The default safety poll (the test hosts' 1 s would dominate the count).
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Gateway:Workers:Circles:0"] = circle,
            ["Gateway:Workers:IdlePollMs"] = "5000",
        };
        await using var worker = await HostProcess.StartWorkerAsync(settings);
        await using var api = new GatewayFactory(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Gateway:Workers:Enabled"] = "false",
        });
        using var client = api.CreateClient();
        var put = await GatewayClient.ReadAsync(await client.PutAsJsonAsync($"/api/circles/{circle}/schedules/minutely",
            new { cron = "* * * * *", script = "1" }));
        Assert.That(put.Status, Is.EqualTo(HttpStatusCode.Created), put.ToString());

        // Measure between two due times: from 2 s after a minute starts.
        var second = DateTimeOffset.UtcNow.Second;
        if (second is < 2 or > 25)
            await Task.Delay(TimeSpan.FromSeconds((62 - second) % 60));
        using var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var before = await CommandStats(server);
        await Task.Delay(TimeSpan.FromSeconds(30));
        var after = await CommandStats(server);

        var delta = after.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key))
            .Where(d => d.Value > 0 && d.Key is not "info").ToDictionary();
        TestContext.Progress.WriteLine($"idle, one circle, one schedule a minute: {delta.Values.Sum() / 30.0:0.00} commands/s counting those inside scripts "
            + $"({string.Join(", ", delta.OrderByDescending(d => d.Value).Select(d => $"{d.Key} {d.Value}"))} in 30 s)");
        Assert.That(delta, Is.Not.Empty, "the count reads real statistics");
        Assert.That(delta.Values.Sum() / 30.0, Is.LessThanOrEqualTo(2.0));
        var schedule = await GatewayClient.ReadAsync(await client.GetAsync($"/api/circles/{circle}/schedules/minutely"));
        Assert.That(schedule.Body!["nextRunAt"]!.GetValue<DateTimeOffset>(), Is.GreaterThan(DateTimeOffset.UtcNow), schedule.ToString());
    }

    /// <summary>Calls per command since the server started (commands a script runs count too).</summary>
    private static async Task<Dictionary<string, long>> CommandStats(StackExchange.Redis.IServer server)
    {
        var stats = new Dictionary<string, long>();
        var info = await server.InfoRawAsync("commandstats") ?? "";
        foreach (var line in info.Split('\n'))
        {
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal))
                continue;
            var name = line[8..line.IndexOf(':', StringComparison.Ordinal)].ToLowerInvariant();
            stats[name] = long.Parse(line.Split("calls=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        return stats;
    }

    /// <summary>A redis-server of the test's own on a free port, stopped (by its pid) when disposed.</summary>
    private sealed class OwnRedis : IDisposable
    {
        private readonly Process _process;
        private readonly string _dir;

        private OwnRedis(Process process, string dir, int port)
        {
            _process = process;
            _dir = dir;
            ConnectionString = $"127.0.0.1:{port}";
        }

        public string ConnectionString { get; }

        public static OwnRedis Start()
        {
            var port = TestRedis.FreePort();
            var dir = Path.Combine(Path.GetTempPath(), $"gateway-idle-{Guid.NewGuid():N}");
            Directory.CreateDirectory(dir);
            Process process;
            try
            {
                process = Process.Start(new ProcessStartInfo("redis-server")
                {
                    ArgumentList = { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no", "--dir", dir },
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                })!;
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                Assert.Fail($"This measurement needs redis-server on the PATH (apt-get install redis-server): {ex.Message}");
                throw;
            }
            process.OutputDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            var own = new OwnRedis(process, dir, port);
            for (var i = 0; i < 50; i++)
            {
                try
                {
                    using var probe = StackExchange.Redis.ConnectionMultiplexer.Connect(own.ConnectionString + ",connectTimeout=500");
                    return own;
                }
                catch (StackExchange.Redis.RedisConnectionException)
                {
                    Thread.Sleep(100);
                }
            }
            own.Dispose();
            Assert.Fail($"redis-server did not answer on port {port}");
            return own;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(10_000);
            }
            _process.Dispose();
            Directory.Delete(_dir, recursive: true);
        }
    }
}
