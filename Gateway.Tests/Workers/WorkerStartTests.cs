using System.Net;
using System.Net.Sockets;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Tests.Workers;

/// <summary>How a real worker process starts: where it listens, and that it claims nothing before it has started.</summary>
[TestFixture]
[NonParallelizable]
public sealed class WorkerStartTests
{
    [Test]
    public async Task TwoWorkerProcesses_GivenNoAddress_EachListensOnAFreePortOfItsOwn_AndBothRunTasks()
    {
        var circle = TestRedis.NewCircle("own-port");
        var settings = new Dictionary<string, string> { ["Gateway:Workers:Circles:0"] = circle };
        await using var a = HostProcess.Launch("Gateway.Workers", settings, port: null);
        await using var b = HostProcess.Launch("Gateway.Workers", settings, port: null);
        await a.WaitUntilReadyAsync();
        await b.WaitUntilReadyAsync();

        Assert.That(a.Port, Is.Not.EqualTo(b.Port));
        foreach (var worker in new[] { a, b })
        {
            using var http = worker.CreateClient();
            Assert.That(await http.GetStringAsync("/health/ready"), Is.EqualTo("Healthy"));
            Assert.That(await http.GetStringAsync("/metrics"), Does.Contain("gateway_"));
        }

        await using var api = new GatewayFactory(new Dictionary<string, string?> { ["Gateway:Workers:Enabled"] = "false" });
        using var client = api.CreateClient();
        var submitted = await client.SubmitAsync(circle, new { script = "return 6 * 7;" });
        var done = await client.GetTaskAsync(circle, submitted.Id, wait: 30);
        Assert.That(done.TaskStatus, Is.EqualTo("completed"), $"{done}\n{a.Log}\n{b.Log}");
        Assert.That(done.Body!["workerId"]!.GetValue<string>(), Does.EndWith($"-{a.Pid}").Or.EndWith($"-{b.Pid}"));
    }

    [Test]
    public async Task AHostThatFailsToStart_NeitherClaimsNorIsListedBeforeIt()
    {
        var circle = TestRedis.NewCircle("late-fail");
        await using var api = new GatewayFactory(new Dictionary<string, string?> { ["Gateway:Workers:Enabled"] = "false" });
        using var client = api.CreateClient();
        var ids = await QueueAsync(client, circle);

        // Its workers have begun when the host's last service fails, seconds later, as Kestrel
        // does when its port is taken. Meanwhile it must neither take the tasks nor be listed.
        var serving = new Dictionary<string, string?>
        {
            ["Gateway:Workers:Circles:0"] = circle,
            ["Gateway:Workers:LeaseSeconds"] = "120",
            ["Gateway:Workers:HeartbeatSeconds"] = "1",
        };
        await using (var failing = new GatewayFactory(serving).WithWebHostBuilder(b => b.ConfigureServices(s => s.AddHostedService<FailsToStart>())))
        {
            var starting = Task.Run(() => failing.Services);
            await Task.Delay(FailsToStart.After - TimeSpan.FromSeconds(1));
            var listed = (await GatewayClient.ReadAsync(await client.GetAsync("/api/workers"))).Body!["workers"]!.AsArray()
                .Where(w => w!["circles"]!.AsArray().Any(c => c!.GetValue<string>() == circle));
            Assert.That(listed, Is.Empty, "listed in the registry by a host that has not started");
            Assert.That(async () => await starting, Throws.InvalidOperationException.With.Message.EqualTo(FailsToStart.Message));
        }

        await AssertUntouchedAsync(client, circle, ids, "taken by a host that never started");

        await using var working = new GatewayFactory(serving);
        using var workingClient = working.CreateClient();
        await AssertEachRanOnceAsync(workingClient, circle, ids, "");
    }

    private sealed class FailsToStart : IHostedService
    {
        public const string Message = "this host cannot start";

        public static readonly TimeSpan After = TimeSpan.FromSeconds(3);

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await Task.Delay(After, cancellationToken);
            throw new InvalidOperationException(Message);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Test]
    public async Task AWorkerProcessWhosePortIsTaken_ExitsAndLeavesItsTasksToOthers()
    {
        var circle = TestRedis.NewCircle("no-start");
        await using var api = new GatewayFactory(new Dictionary<string, string?> { ["Gateway:Workers:Enabled"] = "false" });
        using var client = api.CreateClient();
        var ids = await QueueAsync(client, circle);

        // Its port is taken: the host stops at start, after its hosted services have begun.
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var settings = new Dictionary<string, string> { ["Gateway:Workers:Circles:0"] = circle, ["Gateway:Workers:LeaseSeconds"] = "120" };
        await using (var doomed = HostProcess.Launch("Gateway.Workers", settings, port: port))
        {
            await doomed.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.That(doomed.ExitCode, Is.Not.Zero, doomed.Log);
            Assert.That(doomed.Log, Does.Contain("address already in use"));
        }

        await AssertUntouchedAsync(client, circle, ids, "claimed by a process that never started; its 120 s lease would hold it");

        // The same tasks, for a worker that does start: each runs once.
        await using var worker = await HostProcess.StartWorkerAsync(settings);
        await AssertEachRanOnceAsync(client, circle, ids, worker.Log);
    }

    /// <summary>Four trivial tasks queued in <paramref name="circle"/>; their ids.</summary>
    private static async Task<List<string>> QueueAsync(HttpClient client, string circle)
    {
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
            ids.Add((await client.SubmitAsync(circle, new { script = $"return {i};" })).Id);
        return ids;
    }

    /// <summary>Each task still waits, no attempt spent.</summary>
    private static async Task AssertUntouchedAsync(HttpClient client, string circle, IEnumerable<string> ids, string otherwise)
    {
        foreach (var id in ids)
        {
            var task = await client.GetTaskAsync(circle, id);
            Assert.That(task.TaskStatus, Is.EqualTo("pending"), $"{task}: {otherwise}");
            Assert.That(task.Body!["attempts"]!.GetValue<int>(), Is.Zero);
        }
    }

    /// <summary>Each task completes, on its first attempt.</summary>
    private static async Task AssertEachRanOnceAsync(HttpClient client, string circle, IEnumerable<string> ids, string workerLog)
    {
        foreach (var id in ids)
        {
            var done = await client.GetTaskAsync(circle, id, wait: 30);
            Assert.That(done.TaskStatus, Is.EqualTo("completed"), $"{done}\n{workerLog}");
            Assert.That(done.Body!["attempts"]!.GetValue<int>(), Is.EqualTo(1));
        }
    }
}
