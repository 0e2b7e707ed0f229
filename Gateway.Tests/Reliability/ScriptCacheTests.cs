using Gateway.Core.Configuration;
using Gateway.Core.Queueing;
using Gateway.Core.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Tests.Reliability;

/// <summary>
/// Scripts run by their digest; a server that has forgotten them (restarted, failed over,
/// <c>SCRIPT FLUSH</c>) is sent their text, and each script still runs exactly once.
/// </summary>
[TestFixture]
public sealed class ScriptCacheTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private readonly TaskQueue _queue = new(TestRedis.Connection, TimeProvider.System, Options.Create(new TaskOptions()));
    private readonly TaskReader _reader = new(TestRedis.Connection);

    [Test]
    public async Task AfterTheServerForgetsItsScripts_SubmitClaimAndComplete_EachRunOnce()
    {
        var circle = TestRedis.NewCircle("flushed");
        await _queue.SubmitAsync(circle, [new NewTask("0", "null", 1000)]);
        var warm = (await _queue.ClaimAsync(circle, "w1", 1, Lease)).Single();
        await _queue.CompleteAsync(warm, new TaskOutcome(TaskState.Completed, "0", null, "", 1));

        var servers = TestRedis.Connection.GetServers().Where(s => s.IsConnected && !s.IsReplica).ToArray();
        Assert.That(servers, Is.Not.Empty);
        foreach (var server in servers)
            await server.ScriptFlushAsync();
        var db = TestRedis.Connection.GetDatabase();

        var submitted = (await _queue.SubmitAsync(circle, [new NewTask("1", "null", 1000)])).Single();
        Assert.That(await db.ListLengthAsync(RedisKeys.Queue(circle)), Is.EqualTo(1), "queued once, not once per attempt to run the script");

        foreach (var server in servers)
            await server.ScriptFlushAsync();
        var claimed = await _queue.ClaimAsync(circle, "w1", 5, Lease);
        Assert.That(claimed.Select(t => t.Id), Is.EqualTo(new[] { submitted.Id }));
        Assert.That(claimed[0].Attempt, Is.EqualTo(1), "claimed once");

        foreach (var server in servers)
            await server.ScriptFlushAsync();
        var completed = await _queue.CompleteAsync(claimed[0], new TaskOutcome(TaskState.Completed, "1", null, "", 1));
        Assert.That(completed.Written, Is.True);
        var read = (await _reader.GetAsync(circle, submitted.Id))!;
        Assert.That((read.Status, read.ResultJson, read.Attempts), Is.EqualTo((TaskState.Completed, "1", 1)));
    }
}
