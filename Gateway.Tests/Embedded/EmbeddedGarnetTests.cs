using System.Net;
using System.Net.Http.Json;
using Garnet;
using Garnet.server;
using Gateway.Api.Hosting;
using Gateway.Core.Redis;
using Gateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace Gateway.Tests.Embedded;

[TestFixture]
public sealed class EmbeddedGarnetTests
{
    private string _dir = null!;

    [SetUp]
    public void MakeFolder()
    {
        _dir = Path.Combine(Path.GetTempPath(), $"gateway-embedded-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_dir);
    }

    [TearDown]
    public void RemoveFolder()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task ApiWithNoRedisConfigured_RunsOnGarnet_AndKeepsItsTasksAcrossASigtermRestart()
    {
        var port = TestRedis.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        Dictionary<string, string> Settings(string circles) => new()
        {
            ["ConnectionStrings:Redis"] = "",
            ["Gateway:Embedded:Port"] = port,
            ["Gateway:Embedded:DataPath"] = Path.Combine(_dir, "data"),
            ["Gateway:Workers:Circles:0"] = circles,
            ["Gateway:Embedded:DataWarningMegabytes"] = "1",
        };

        string doneId, laterId;
        await using (var first = await HostProcess.StartAsync("Gateway.Api", Settings("now"), workingDirectory: _dir))
        {
            using var client = first.CreateClient();
            var done = await client.SubmitAsync("now", new { script = "args.a + args.b", args = new { a = 2, b = 3 } }, wait: 10);
            Assert.That(done.TaskStatus, Is.EqualTo("completed"), $"{done}\n{first.Log}");
            Assert.That(done.Result!.GetValue<double>(), Is.EqualTo(5));
            doneId = done.Id;

            // Nobody serves "later" in this run: the task is still pending when the process stops.
            var later = await client.SubmitAsync("later", new { script = "'ran after the restart'" });
            Assert.That(later.Status, Is.EqualTo(HttpStatusCode.Accepted));
            laterId = later.Id;

            Assert.That(first.Log, Does.Contain($"embedded Garnet listens on 127.0.0.1:{port}"));
            await AssertDataFolderIsReportedAsync(client, Path.Combine(_dir, "data"));
            first.Terminate();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.That(first.ExitCode, Is.Zero, first.Log);
        }

        await using var second = await HostProcess.StartAsync("Gateway.Api", Settings("*"), workingDirectory: _dir);
        using var again = second.CreateClient();
        var kept = await again.GetTaskAsync("now", doneId);
        Assert.That(kept.TaskStatus, Is.EqualTo("completed"), $"{kept}\n{second.Log}");
        Assert.That(kept.Result!.GetValue<double>(), Is.EqualTo(5));

        var resumed = await again.GetTaskAsync("later", laterId, wait: 30);
        Assert.That(resumed.TaskStatus, Is.EqualTo("completed"), $"{resumed}\n{second.Log}");
        Assert.That(resumed.Result!.GetValue<string>(), Is.EqualTo("ran after the restart"));
    }

    [Test]
    public async Task AppendOnlyFile_IsCutByCheckpoints_AndARestartRecoversEveryPendingTask()
    {
        var port = TestRedis.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var data = Path.Combine(_dir, "data");
        Dictionary<string, string> Settings(string circles) => new()
        {
            ["ConnectionStrings:Redis"] = "",
            ["Gateway:Embedded:Port"] = port,
            ["Gateway:Embedded:DataPath"] = data,
            ["Gateway:Embedded:CheckpointSeconds"] = "10",
            ["Gateway:Workers:Circles:0"] = circles,
        };
        var aof = Path.Combine(data, "checkpoints", "AOF");

        var pending = new List<string>();
        long grown;
        await using (var first = await HostProcess.StartAsync("Gateway.Api", Settings("now"), workingDirectory: _dir))
        {
            using var client = first.CreateClient();
            // Nobody serves "later" in this run: about 24 MB of pending tasks, three segments of the file,
            // sent in batches so that the burst is over well before the first checkpoint.
            var filler = new string('x', 200_000);
            for (var batch = 0; batch < 12; batch++)
            {
                var tasks = Enumerable.Range(batch * 10, 10).Select(i => new { script = "args.i", args = new { i, filler } }).ToArray();
                var response = await GatewayClient.ReadAsync(await client.PostAsJsonAsync("/api/circles/later/tasks/batch", new { tasks }));
                Assert.That(response.Status, Is.EqualTo(HttpStatusCode.Accepted), response.ToString());
                pending.AddRange(response.Body!["tasks"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()));
            }
            grown = EmbeddedGarnet.FolderBytes(aof);
            TestContext.Progress.WriteLine($"append-only file after the burst: {grown / 1048576.0:0.0} MiB");
            Assert.That(grown, Is.GreaterThan(16L * 1024 * 1024), "the burst must fill several segments of the file");

            // Checkpoints every 10 s cut the file; a small write afterwards commits the cut.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            long now;
            do
            {
                await Task.Delay(1000);
                await client.SubmitAsync("now", new { script = "1" }, wait: 5);
                now = EmbeddedGarnet.FolderBytes(aof);
            }
            while (now > grown / 2 && DateTime.UtcNow < deadline);
            TestContext.Progress.WriteLine($"append-only file after checkpoints: {now / 1048576.0:0.0} MiB");
            Assert.That(now, Is.LessThan(grown / 2), first.Log);

            first.Terminate();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.That(first.ExitCode, Is.Zero, first.Log);
        }

        await using var second = await HostProcess.StartAsync("Gateway.Api", Settings("*"), workingDirectory: _dir);
        using var again = second.CreateClient();
        for (var i = 0; i < pending.Count; i++)
        {
            var resumed = await again.GetTaskAsync("later", pending[i], wait: 30);
            Assert.That(resumed.TaskStatus, Is.EqualTo("completed"), $"task {i}: {resumed}\n{second.Log}");
            Assert.That(resumed.Result!.GetValue<double>(), Is.EqualTo(i));
        }
    }

    // The folder's size as a metric; readiness Healthy, then Degraded (still 200) once the folder
    // passes the warning, here 1 MB.
    private static async Task AssertDataFolderIsReportedAsync(HttpClient client, string data)
    {
        Assert.That(await ReadyAsync(client), Is.EqualTo("Healthy"));
        // About 1.6 MB of tasks nobody serves in this run.
        var filler = new string('x', 200_000);
        var tasks = Enumerable.Range(0, 8).Select(i => new { script = "args.i", args = new { i, filler } }).ToArray();
        var batch = await GatewayClient.ReadAsync(await client.PostAsJsonAsync("/api/circles/filler/tasks/batch", new { tasks }));
        Assert.That(batch.Status, Is.EqualTo(HttpStatusCode.Accepted), batch.ToString());

        var deadline = DateTime.UtcNow.AddSeconds(20);
        string ready;
        while ((ready = await ReadyAsync(client)) != "Degraded" && DateTime.UtcNow < deadline)
            await Task.Delay(250);
        Assert.That(ready, Is.EqualTo("Degraded"), $"data folder: {EmbeddedGarnet.FolderBytes(data)} bytes");

        // The detailed report names the check and what it found.
        var health = await GatewayClient.ReadAsync(await client.GetAsync("/api/health"));
        Assert.That(health.Body?["status"]?.GetValue<string>(), Is.EqualTo("degraded"), health.ToString());
        var check = health.Body!["checks"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "embedded-data")!;
        Assert.That(check["status"]!.GetValue<string>(), Is.EqualTo("degraded"), health.ToString());
        Assert.That(check["description"]!.GetValue<string>(), Does.Contain("MB").And.Contain("Redis"), health.ToString());

        var metrics = await client.GetStringAsync("/metrics");
        var line = metrics.Split('\n').SingleOrDefault(l => l.StartsWith("gateway_embedded_data_bytes", StringComparison.Ordinal));
        Assert.That(line, Is.Not.Null, metrics);
        var reported = double.Parse(line!.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(reported, Is.GreaterThanOrEqualTo(1024 * 1024).And.LessThanOrEqualTo(EmbeddedGarnet.FolderBytes(data) * 2.0), line);
    }

    // /health/ready answers 200 whether Healthy or Degraded; the body says which.
    private static async Task<string> ReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/health/ready");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return await response.Content.ReadAsStringAsync();
    }

    [Test]
    public void Api_RefusesToStart_OnABackendThatFailsTheProtocolSelfTest()
    {
        var port = TestRedis.FreePort();
        var options = EmbeddedGarnet.Build(new EmbeddedRedisOptions { Persist = false }, port, Path.Combine(_dir, "data"));
        options.EnableLua = false;
        using var noLua = new GarnetServer(options);
        noLua.Start();

        using var factory = new GatewayFactory(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = $"127.0.0.1:{port}" });
        var failure = Assert.Catch(() => factory.CreateClient());

        Assert.That(failure, Is.InstanceOf<SelfTestFailedException>());
        Assert.That(failure!.Message, Does.Contain("'submit'").And.Contain("Lua"));
    }

    [Test]
    public async Task ProtocolSelfTest_PassesOnTheBackendUnderTest_AndLeavesNoKeys()
    {
        var db = TestRedis.Connection.GetDatabase();

        var circle = await ProtocolSelfTest.RunAsync(db, TimeProvider.System);

        // Its own scratch circle only: a host starting elsewhere may be running its self-test now.
        var left = TestRedis.Connection.GetServers().SelectMany(s => s.Keys(pattern: $"rhai:*{{{circle}}}*")).Take(1).ToArray();
        Assert.That(left, Is.Empty, TestRedis.Backend);
    }

    [Test]
    public void WorkerHost_DoesNotDependOnGarnet()
    {
        var workers = typeof(Gateway.Workers.WorkerHost).Assembly;
        var references = workers.GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        Assert.That(references, Has.None.StartsWith("Garnet"));
        Assert.That(references, Does.Contain("Gateway.Core"), "the check reads real references");

        var deps = Path.Combine(Path.GetDirectoryName(workers.Location)!, "Gateway.Workers.deps.json");
        Assert.That(File.Exists(deps), Is.True, deps);
        var text = File.ReadAllText(deps);
        Assert.That(text, Does.Contain("StackExchange.Redis"), "the check reads the real dependency list");
        Assert.That(text, Does.Not.Contain("Microsoft.Garnet"));
    }
}
