using Gateway.Core.Redis;
using StackExchange.Redis;

namespace Gateway.Tests.Queueing;

/// <summary>
/// The circle keys the scripts name are kept per circle; what is kept must be the schema, for
/// any circle, however many circles have come and gone before it.
/// </summary>
[TestFixture]
public sealed class RedisKeysTests
{
    [Test]
    public void ACirclesKeys_AreItsSchema_PastTheCirclesKeptAndAgain()
    {
        // Two and a half times the circles kept, then the first ones again, after they were dropped.
        var circles = Enumerable.Range(0, 2_600).Select(i => $"keys-{i}").Concat(["keys-0", "keys-1"]).ToArray();

        Assert.Multiple(() =>
        {
            foreach (var c in circles)
            {
                string[] lanes = [$"rhai:queue:{{{c}}}", .. Enumerable.Range(1, 9).Select(p => $"rhai:queue:{{{c}}}:p{p}")];
                Assert.That(Names(RedisKeys.Lanes(c)), Is.EqualTo(lanes), c);
                Assert.That((string?)RedisKeys.Queue(c), Is.EqualTo(lanes[0]));
                Assert.That((string?)RedisKeys.Queue(c, 9), Is.EqualTo(lanes[9]));
                Assert.That(Names(RedisKeys.Waiting(c)), Is.EqualTo([$"rhai:scheduled:{{{c}}}", .. lanes]));
                Assert.That(Names(RedisKeys.Claimable(c)), Is.EqualTo([.. lanes, $"rhai:paused:{{{c}}}"]));
                Assert.That((string?)RedisKeys.Task(c, "0123"), Is.EqualTo($"rhai:task:{{{c}}}:0123"));
                Assert.That(RedisKeys.TaskPrefix(c), Is.EqualTo($"rhai:task:{{{c}}}:"));
                Assert.That((string?)RedisKeys.Processing(c), Is.EqualTo($"rhai:processing:{{{c}}}"));
                Assert.That((string?)RedisKeys.Index(c), Is.EqualTo($"rhai:tasks:{{{c}}}"));
                Assert.That((string?)RedisKeys.Failed(c), Is.EqualTo($"rhai:failed:{{{c}}}"));
                Assert.That((string?)RedisKeys.Scheduled(c), Is.EqualTo($"rhai:scheduled:{{{c}}}"));
                Assert.That((string?)RedisKeys.PausedFlag(c), Is.EqualTo($"rhai:paused:{{{c}}}"));
                Assert.That(RedisKeys.Events(c), Is.EqualTo($"rhai:events:{{{c}}}"));
                Assert.That(RedisKeys.CircleOfEvents(RedisKeys.Events(c)), Is.EqualTo(c));
            }
        });
    }

    [Test]
    public void APriorityOutsideZeroToNine_NamesNoLane()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RedisKeys.Queue("keys", 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => RedisKeys.Queue("keys", -1));
    }

    private static string?[] Names(ReadOnlySpan<RedisKey> keys)
    {
        var names = new string?[keys.Length];
        for (var i = 0; i < keys.Length; i++)
            names[i] = keys[i];
        return names;
    }
}
