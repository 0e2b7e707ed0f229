using Gateway.Core.Configuration;
using Gateway.Core.Models;
using Gateway.Core.Redis.Scripts;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>
/// The circles' domain entities, stored as JSON in one hash per circle and kind. Ids count up
/// per circle and kind. Changes are optimistic: read, change, write only if nobody wrote in
/// between (model-write.lua compares the value read), else read again — no update is lost. The
/// same script keeps a count of the bytes the circle's entities take and refuses a write that
/// would pass <see cref="LimitsOptions.MaxModelBytesPerCircle"/>.
/// </summary>
/// <remarks>
/// A command that timed out or lost its connection is tried again, up to
/// <see cref="TransientAttempts"/> times in all: a server that stalls for a moment (a CPU-starved
/// node, a failover) must not fail a script that did nothing wrong. Every step is written so that
/// repeating it is safe even when the first attempt did reach the server and only its answer was
/// lost: reads; setting a value already decided; reserving an id, whose repeat leaves only a gap;
/// a new entity's write, whose repeat finds the fresh id already holding what it wrote; and a
/// conditional change, which after a lost answer reads the entity again and counts itself done
/// if the entity already holds what it wrote, so that a change is never applied (or counted) twice.
/// </remarks>
public sealed class RedisModelStore(IConnectionMultiplexer redis, TimeProvider time, IOptions<LimitsOptions>? limits = null) : IModelStore
{
    private readonly long _maxBytes = (limits?.Value ?? new LimitsOptions()).MaxModelBytesPerCircle;

    private const int MaxConflicts = 100;

    /// <summary>Attempts of one step when the server's answer does not come (each waits the client's command timeout).</summary>
    public const int TransientAttempts = 3;

    private static readonly TimeSpan TransientPause = TimeSpan.FromMilliseconds(100);

    private IDatabase Db => redis.GetDatabase();

    public Task<string> CreateAsync(string circle, string kind, Func<long, string> build) => Guard(async () =>
    {
        Ensure(circle);
        var db = Db;
        var id = await Step(() => db.HashIncrementAsync(RedisKeys.ModelIds(circle), kind));
        var json = build(id);
        // A fresh id holds nothing; should it hold something, a repeat of this write already stored it.
        var outcome = await Step(() => ModelWriteScript.RunAsync(db, new ModelWriteScript.Args(circle, kind, id, "", json, _maxBytes)));
        return outcome switch
        {
            ModelWrite.Stored => json,
            ModelWrite.OverLimit => throw new ModelLimitException(circle, _maxBytes),
            _ => throw new ModelStoreException($"{kind} {id} was written by another writer; the id counter is behind the entities."),
        };
    });

    public Task<string?> GetAsync(string circle, string kind, long id) => Guard(async () =>
    {
        Ensure(circle);
        var db = Db;
        return (string?)await Step(() => db.HashGetAsync(RedisKeys.Models(circle, kind), id));
    });

    public Task<IReadOnlyList<string>> ListAsync(string circle, string kind) => Guard(async () =>
    {
        Ensure(circle);
        var db = Db;
        var entries = await Step(() => db.HashGetAllAsync(RedisKeys.Models(circle, kind)));
        return (IReadOnlyList<string>)entries.OrderBy(e => (long)e.Name).Select(e => (string?)e.Value ?? "").ToArray();
    });

    /// <summary>
    /// Ids count up from 1, so a page is first read as the ids that follow <paramref name="after"/>
    /// (one HMGET, beside the kind's id counter). Only when some of those were deleted and more ids
    /// follow are the hash's ids read (small next to the entities) and sorted to fill the page.
    /// Measured on 100 000 calendars, a page of 500: 2.5-4.7 ms read the first way, 44-62 ms when
    /// the ids must be read; 200 pages, one id deleted, walked in 0.47 s. A full page
    /// read the first way names a next page when higher ids were given out, which may prove empty
    /// when all of those were deleted.
    /// </summary>
    public Task<ModelPage> ListPageAsync(string circle, string kind, long after, int limit) => Guard(async () =>
    {
        Ensure(circle);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (after > long.MaxValue - limit)
            return new ModelPage([], null);
        var db = Db;
        var key = RedisKeys.Models(circle, kind);
        var following = Enumerable.Range(1, limit).Select(i => (RedisValue)(after + i)).ToArray();
        var topRead = Step(() => db.HashGetAsync(RedisKeys.ModelIds(circle), kind));
        var runRead = Step(() => db.HashGetAsync(key, following));
        var top = (long?)await topRead ?? 0;
        var run = await runRead;
        var end = after + limit;
        if (end >= top || run.All(v => v.HasValue))
            return new ModelPage(run.Where(v => v.HasValue).Select(v => (string)v!).ToArray(), end < top ? end : null);

        var ids = (await Step(() => db.HashKeysAsync(key))).Select(k => (long)k).Where(id => id > after).Order().ToArray();
        var page = ids.Take(limit).ToArray();
        var values = page.Length == 0 ? [] : await Step(() => db.HashGetAsync(key, page.Select(id => (RedisValue)id).ToArray()));
        var items = values.Where(v => v.HasValue).Select(v => (string)v!).ToArray();
        return new ModelPage(items, ids.Length > limit ? page[^1] : null);
    });

    /// <summary>Retried when another writer won, up to <see cref="MaxConflicts"/> times.</summary>
    public Task<string?> UpdateAsync(string circle, string kind, long id, Func<string, string> change) => Guard(async () =>
    {
        Ensure(circle);
        var db = Db;
        var key = RedisKeys.Models(circle, kind);
        var lostAnswers = 0;
        for (var attempt = 0; attempt < MaxConflicts; attempt++)
        {
            var current = (string?)await Step(() => db.HashGetAsync(key, id));
            if (current is null)
                return null;
            var next = change(current);
            ModelWrite outcome;
            try
            {
                outcome = await ModelWriteScript.RunAsync(db, new ModelWriteScript.Args(circle, kind, id, current, next, _maxBytes));
            }
            catch (Exception ex) when (IsTransient(ex) && ++lostAnswers < TransientAttempts)
            {
                // The write may have landed with only its answer lost: if the entity now holds
                // what this update wrote, it is done; otherwise it was not applied, so go again.
                // (The script itself cannot tell a repeat of this write from another writer's
                // equal one, so it never counts an equal value as its own.)
                await Task.Delay(TransientPause, time);
                if ((string?)await Step(() => db.HashGetAsync(key, id)) == next)
                    return next;
                continue;
            }
            switch (outcome)
            {
                case ModelWrite.Stored:
                    return next;
                case ModelWrite.OverLimit:
                    throw new ModelLimitException(circle, _maxBytes);
            }
            await Task.Delay(Random.Shared.Next(1, 5 + attempt));
        }
        throw new ModelStoreException($"{kind} {id} is changed by too many writers at once; try again.");
    });

    /// <summary>
    /// True when this call removed the entity. Should the first attempt's answer be lost after it
    /// removed it, the repeat finds nothing and answers false; the entity is gone either way.
    /// </summary>
    public Task<bool> DeleteAsync(string circle, string kind, long id) => Guard(async () =>
    {
        Ensure(circle);
        var db = Db;
        return await Step(() => ModelDeleteScript.RunAsync(db, new ModelDeleteScript.Args(circle, kind, id)));
    });

    public Task<ModelUsage> GetUsageAsync(string circle) => Guard(async () =>
    {
        Ensure(circle);
        var db = Db;
        var bytes = (long?)await Step(() => db.StringGetAsync(RedisKeys.ModelBytes(circle)));
        return new ModelUsage(bytes ?? 0, _maxBytes);
    });

    /// <summary>One command (or a step safe to repeat), tried again when its answer does not come.</summary>
    private async Task<T> Step<T>(Func<Task<T>> command)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await command();
            }
            catch (Exception ex) when (IsTransient(ex) && attempt < TransientAttempts)
            {
                await Task.Delay(TransientPause * attempt, time);
            }
        }
    }

    private static bool IsTransient(Exception ex) => ex is RedisTimeoutException or RedisConnectionException;

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
