using Gateway.Core.Models;
using Gateway.Core.Queueing;
using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>
/// The circles' domain entities, stored as JSON in one hash per circle and kind. Ids count up
/// per circle and kind. Changes are optimistic: read, change, write only if nobody wrote in
/// between (a transaction conditioned on the value read), else read again — no update is lost.
/// </summary>
public sealed class RedisModelStore(IConnectionMultiplexer redis) : IModelStore
{
    private const int MaxConflicts = 100;

    private IDatabase Db => redis.GetDatabase();

    public Task<string> CreateAsync(string circle, string kind, Func<long, string> build) => Guard(async () =>
    {
        Ensure(circle);
        var db = Db;
        var id = await db.HashIncrementAsync(RedisKeys.ModelIds(circle), kind);
        var json = build(id);
        await db.HashSetAsync(RedisKeys.Models(circle, kind), id, json);
        return json;
    });

    public Task<string?> GetAsync(string circle, string kind, long id) => Guard(async () =>
    {
        Ensure(circle);
        return (string?)await Db.HashGetAsync(RedisKeys.Models(circle, kind), id);
    });

    public Task<IReadOnlyList<string>> ListAsync(string circle, string kind) => Guard(async () =>
    {
        Ensure(circle);
        var entries = await Db.HashGetAllAsync(RedisKeys.Models(circle, kind));
        return (IReadOnlyList<string>)entries.OrderBy(e => (long)e.Name).Select(e => (string?)e.Value ?? "").ToArray();
    });

    /// <summary>Retried when another writer won, up to <see cref="MaxConflicts"/> times.</summary>
    public Task<string?> UpdateAsync(string circle, string kind, long id, Func<string, string> change) => Guard(async () =>
    {
        Ensure(circle);
        var db = Db;
        var key = RedisKeys.Models(circle, kind);
        for (var attempt = 0; attempt < MaxConflicts; attempt++)
        {
            var current = await db.HashGetAsync(key, id);
            if (current.IsNull)
                return null;
            var next = change((string?)current ?? "");
            var transaction = db.CreateTransaction();
            transaction.AddCondition(Condition.HashEqual(key, id, current));
            _ = transaction.HashSetAsync(key, id, next);
            if (await transaction.ExecuteAsync())
                return next;
            await Task.Delay(Random.Shared.Next(1, 5 + attempt));
        }
        throw new ModelStoreException($"{kind} {id} is changed by too many writers at once; try again.");
    });

    public Task<bool> DeleteAsync(string circle, string kind, long id) => Guard(async () =>
    {
        Ensure(circle);
        return await Db.HashDeleteAsync(RedisKeys.Models(circle, kind), id);
    });

    /// <summary>Redis failures leave here as <see cref="ModelStoreException"/>, the cause kept inside.</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            throw new ModelStoreException("The model store is unavailable.", ex);
        }
    }

    private static void Ensure(string circle)
    {
        if (!CircleName.IsValid(circle))
            throw new ArgumentException($"'{circle}' is not a valid circle name.", nameof(circle));
    }
}
