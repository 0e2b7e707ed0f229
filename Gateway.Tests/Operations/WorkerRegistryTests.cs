using System.Diagnostics;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Operations;

[TestFixture]
[NonParallelizable]
public sealed class WorkerRegistryTests
{
    [Test]
    public async Task TwoWorkerProcesses_AreListed_AndAKilledOneDisappearsWithinThreeHeartbeats()
    {
        var circle = TestRedis.NewCircle("registry");
        var settings = new Dictionary<string, string> { ["Gateway:Workers:Circles:0"] = circle, ["Gateway:Workers:HeartbeatSeconds"] = "1" };
        await using var api = new GatewayFactory(new Dictionary<string, string?> { ["Gateway:Workers:Enabled"] = "false" });
        using var client = api.CreateClient();
        await using var a = await HostProcess.StartWorkerAsync(settings);
        await using var b = await HostProcess.StartWorkerAsync(settings);

        async Task<string[]> Listed()
        {
            var list = await GatewayClient.ReadAsync(await client.GetAsync("/api/workers"));
            return list.Body!["workers"]!.AsArray()
                .Where(w => w!["circles"]!.AsArray().Any(c => c!.GetValue<string>() == circle))
                .Select(w => w!["id"]!.GetValue<string>()).ToArray();
        }

        var clock = Stopwatch.StartNew();
        while ((await Listed()).Length < 2 && clock.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(200);
        var both = await Listed();
        Assert.That(both, Has.Length.EqualTo(2));
        Assert.That(both.Any(id => id.EndsWith($"-{a.Pid}", StringComparison.Ordinal)) && both.Any(id => id.EndsWith($"-{b.Pid}", StringComparison.Ordinal)));

        var entry = (await GatewayClient.ReadAsync(await client.GetAsync("/api/workers"))).Body!["workers"]!.AsArray()
            .First(w => w!["id"]!.GetValue<string>().EndsWith($"-{a.Pid}", StringComparison.Ordinal))!;
        Assert.That(entry["concurrency"]!.GetValue<int>(), Is.EqualTo(Environment.ProcessorCount));
        Assert.That(entry["busy"]!.GetValue<int>(), Is.Zero);
        Assert.That(entry["host"]!.GetValue<string>(), Is.Not.Empty);
        Assert.That(entry["startedAt"], Is.Not.Null);
        Assert.That(entry["processed"]!.GetValue<long>(), Is.Zero);

        a.Kill();
        clock.Restart();
        while ((await Listed()).Length > 1 && clock.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(100);
        var left = await Listed();
        Assert.That(left, Has.Length.EqualTo(1));
        Assert.That(left[0], Does.EndWith($"-{b.Pid}"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3 + 1.5)), "gone within three heartbeats of 1 s (plus a poll)");
    }
}
