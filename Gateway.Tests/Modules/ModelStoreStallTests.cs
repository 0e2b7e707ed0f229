using System.Text.Json.Nodes;
using Gateway.Core.Models;
using Gateway.Core.Redis;
using Gateway.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Gateway.Tests.Modules;

/// <summary>
/// The model store through a connection whose answers stall past the client's command timeout,
/// as a CPU-starved server's do: a single writer's call still succeeds, and no write is applied
/// twice because its first answer was lost. The server is one of the test's own behind a proxy.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ModelStoreStallTests
{
    /// <summary>Longer than the product's 1.5 s command timeout, shorter than all its attempts together.</summary>
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(2.5);

    private RestartableRedis _redis = null!;
    private StallingProxy _proxy = null!;
    private IConnectionMultiplexer _connection = null!;
    private RedisModelStore _store = null!;

    [SetUp]
    public void Start()
    {
        _redis = new RestartableRedis();
        _proxy = new StallingProxy(_redis.Port);
        // The product's own connection settings: the same command timeout the workers have.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = _proxy.ConnectionString })
            .Build();
        _connection = new RedisConnector(configuration, new ServiceCollection().BuildServiceProvider(), NullLogger<RedisConnector>.Instance).Connect();
        _store = new RedisModelStore(_connection, TimeProvider.System);
    }

    [TearDown]
    public async Task Stop()
    {
        _connection.Dispose();
        await _proxy.DisposeAsync();
        _redis.Dispose();
    }

    private static int Count(string json) => JsonNode.Parse(json)!["n"]!.GetValue<int>();

    [Test]
    public async Task Update_WhoseAnswerIsLost_SucceedsAndIsAppliedOnce()
    {
        var circle = TestRedis.NewCircle("stall");
        var created = await _store.CreateAsync(circle, "counter", id => $$"""{"id":{{id}},"n":0}""");
        var id = JsonNode.Parse(created)!["id"]!.GetValue<long>();

        _proxy.StallAfter("EVALSHA", Stall);
        var changes = 0;
        var updated = await _store.UpdateAsync(circle, "counter", id, json =>
        {
            changes++;
            return $$"""{"id":{{id}},"n":{{Count(json) + 1}}}""";
        });

        Assert.That(_proxy.Stalls, Is.EqualTo(1), "the write's answer was held back");
        Assert.That(Count(updated!), Is.EqualTo(1));
        Assert.That(Count((await _store.GetAsync(circle, "counter", id))!), Is.EqualTo(1), "the change landed once");
        Assert.That(changes, Is.EqualTo(1), "the write that landed was recognised, not computed again");
        Assert.That((await _store.GetUsageAsync(circle)).Bytes, Is.EqualTo(updated!.Length),
            "the change in size counted once");
    }

    [TestCase("HINCRBY")]
    [TestCase("EVALSHA")]
    public async Task Create_WhoseAnswerIsLost_StoresOneEntity_CountedOnce(string stalledCommand)
    {
        // A first create elsewhere loads the write script, so that the next one runs it by digest.
        await _store.CreateAsync(TestRedis.NewCircle("stall"), "note", id => "{}");
        var circle = TestRedis.NewCircle("stall");
        _proxy.StallAfter(stalledCommand, Stall);

        var created = await _store.CreateAsync(circle, "note", id => $$"""{"id":{{id}},"n":7}""");

        Assert.That(_proxy.Stalls, Is.EqualTo(1));
        var all = await _store.ListAsync(circle, "note");
        Assert.That(all, Has.Count.EqualTo(1), string.Join("\n", all));
        Assert.That(all[0], Is.EqualTo(created));
        var counted = (await _store.GetUsageAsync(circle)).Bytes;
        Assert.That(counted, Is.EqualTo(created.Length), "the bytes counted once");
    }

    [Test]
    public async Task Read_WhoseAnswerIsLost_IsAskedAgain()
    {
        var circle = TestRedis.NewCircle("stall");
        var created = await _store.CreateAsync(circle, "note", id => $$"""{"id":{{id}},"n":3}""");
        var id = JsonNode.Parse(created)!["id"]!.GetValue<long>();

        _proxy.StallAfter("HGET", Stall);

        Assert.That(await _store.GetAsync(circle, "note", id), Is.EqualTo(created));
        Assert.That(_proxy.Stalls, Is.EqualTo(1));
    }

    [Test]
    public async Task AServerThatStaysSilent_FailsTheCall_WithTheStoresOwnException()
    {
        var circle = TestRedis.NewCircle("stall");
        _proxy.StallAfter("HGET", TimeSpan.FromMinutes(5));

        var failure = await Assert.ThrowsAsync<ModelStoreException>(() => _store.GetAsync(circle, "note", 1));

        Assert.That(failure!.InnerException, Is.InstanceOf<RedisTimeoutException>());
    }
}
