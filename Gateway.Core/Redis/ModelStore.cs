using Gateway.Core.Tasks;
using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>
/// The circles' domain entities, stored as JSON in one hash per circle and kind. Ids count up
/// per circle and kind. Changes are optimistic: read, change, write only if nobody wrote in
/// between (a transaction conditioned on the value read), else read again — no update is lost.
/// </summary>
public sealed class ModelStore(IConnectionMultiplexer redis)
{
    private const int MaxConflicts = 100;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>Stores a new entity; <paramref name="build"/> turns the new id into its JSON.</summary>
    public async Task<string> CreateAsync(string circle, string kind, Func<long, string> build)
    {
        Ensure(circle);
        var db = Db;
        var id = await db.HashIncrementAsync(RedisKeys.ModelIds(circle), kind);
        var json = build(id);
        await db.HashSetAsync(RedisKeys.Models(circle, kind), id, json);
        return json;
    }

    public async Task<string?> GetAsync(string circle, string kind, long id)
    {
        Ensure(circle);
        return await Db.HashGetAsync(RedisKeys.Models(circle, kind), id);
    }

    /// <summary>Every entity of a kind, ordered by id.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string circle, string kind)
    {
        Ensure(circle);
        var entries = await Db.HashGetAllAsync(RedisKeys.Models(circle, kind));
        return entries.OrderBy(e => (long)e.Name).Select(e => (string)e.Value!).ToArray();
    }

    /// <summary>
    /// Changes an entity: <paramref name="change"/> gets its JSON and returns the new JSON (or
    /// throws to refuse). Null when there is no such entity. Retried when another writer won.
    /// </summary>
    public async Task<string?> UpdateAsync(string circle, string kind, long id, Func<string, string> change)
    {
        Ensure(circle);
        var db = Db;
        var key = RedisKeys.Models(circle, kind);
        for (var attempt = 0; attempt < MaxConflicts; attempt++)
        {
            var current = await db.HashGetAsync(key, id);
            if (current.IsNull)
                return null;
            var next = change(current!);
            var transaction = db.CreateTransaction();
            transaction.AddCondition(Condition.HashEqual(key, id, current));
            _ = transaction.HashSetAsync(key, id, next);
            if (await transaction.ExecuteAsync())
                return next;
            await Task.Delay(Random.Shared.Next(1, 5 + attempt));
        }
        throw new InvalidOperationException($"{kind} {id} is changed by too many writers at once; try again.");
    }

    public async Task<bool> DeleteAsync(string circle, string kind, long id)
    {
        Ensure(circle);
        return await Db.HashDeleteAsync(RedisKeys.Models(circle, kind), id);
    }

    private static void Ensure(string circle)
    {
        if (!CircleName.IsValid(circle))
            throw new ArgumentException($"'{circle}' is not a valid circle name.", nameof(circle));
    }
}
