using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>What a worker process says of itself at each heartbeat.</summary>
public sealed record WorkerInfo(
    string Id,
    string Host,
    IReadOnlyList<string> Circles,
    int Concurrency,
    int Busy,
    DateTimeOffset StartedAt,
    DateTimeOffset LastSeenAt,
    long Processed,
    int HeartbeatMs);

/// <summary>
/// Live workers, in the global <c>rhai:workers</c> hash (its own slot, never touched by a circle's
/// script). An entry whose heartbeat is three beats late is a dead worker's: it is not listed,
/// and it is removed.
/// </summary>
public sealed class WorkerRegistry(IConnectionMultiplexer redis, TimeProvider time)
{
    private IDatabase Db => redis.GetDatabase();

    public Task BeatAsync(WorkerInfo worker) =>
        Db.HashSetAsync(RedisKeys.Workers, worker.Id, JsonSerializer.Serialize(worker, RegistryJson.Default.WorkerInfo));

    public Task RemoveAsync(string workerId) => Db.HashDeleteAsync(RedisKeys.Workers, workerId);

    public async Task<IReadOnlyList<WorkerInfo>> ListAsync()
    {
        var now = time.GetUtcNow();
        var live = new List<WorkerInfo>();
        var dead = new List<RedisValue>();
        foreach (var entry in await Db.HashGetAllAsync(RedisKeys.Workers))
        {
            var worker = Parse(entry.Value);
            if (worker is not null && now - worker.LastSeenAt <= TimeSpan.FromMilliseconds(3 * worker.HeartbeatMs))
                live.Add(worker);
            else
                dead.Add(entry.Name);
        }
        if (dead.Count > 0)
            _ = Db.HashDeleteAsync(RedisKeys.Workers, dead.ToArray(), CommandFlags.FireAndForget);
        return live.OrderBy(w => w.Id, StringComparer.Ordinal).ToArray();
    }

    private static WorkerInfo? Parse(RedisValue value)
    {
        try
        {
            return JsonSerializer.Deserialize((string)value!, RegistryJson.Default.WorkerInfo);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(WorkerInfo))]
internal sealed partial class RegistryJson : JsonSerializerContext;
