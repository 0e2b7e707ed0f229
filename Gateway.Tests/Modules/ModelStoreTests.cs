using System.Text.Json.Nodes;
using Gateway.Core.Redis;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Modules;

/// <summary>The model store against the suite's Redis: concurrent changes of one entity.</summary>
[TestFixture]
public sealed class ModelStoreTests
{
    private static int Count(string json) => JsonNode.Parse(json)!["n"]!.GetValue<int>();

    [Test]
    public async Task ConcurrentIncrements_OfOneEntity_AreAllApplied_EvenWhenTwoWriteTheSameValue()
    {
        // Two increments that read the same count write the same JSON: the second must see that
        // the entity changed since it read it and go again, not take the first one's write for its own.
        var store = new RedisModelStore(TestRedis.Connection, TimeProvider.System);
        var circle = TestRedis.NewCircle("store");
        var created = await store.CreateAsync(circle, "counter", id => $$"""{"id":{{id}},"n":0}""");
        var id = JsonNode.Parse(created)!["id"]!.GetValue<long>();

        await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() =>
            store.UpdateAsync(circle, "counter", id, json => $$"""{"id":{{id}},"n":{{Count(json) + 1}}}"""))));

        var final = await store.GetAsync(circle, "counter", id);
        Assert.That(Count(final!), Is.EqualTo(40));
        Assert.That((await store.GetUsageAsync(circle)).Bytes, Is.EqualTo(final!.Length));
    }
}
