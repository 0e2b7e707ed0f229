using System.Collections.Concurrent;
using System.Diagnostics;
using Gateway.Core.Configuration;
using Gateway.Core.Recurring;
using Gateway.Core.Redis.Scripts;
using Gateway.Core.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>
/// A circle's schedules: put (schedule.lua), read, list, delete, and firing the ones that are due
/// (fire.lua, which moves the next due time and submits the task in one script). Which process
/// fires does not matter: every process may try every due time; one succeeds.
/// </summary>
public sealed class ScheduleStore(IConnectionMultiplexer redis, TimeProvider time, IOptions<LimitsOptions>? limits = null)
{
    /// <summary>
    /// How old a due time may be and still fire. Older ones (the firers were all down, or Redis
    /// was away) are not replayed: the schedule moves on to its next due time.
    /// </summary>
    public static readonly TimeSpan MisfireGrace = TimeSpan.FromSeconds(10);

    /// <summary>Parsed expressions by (cron, zone): a schedule that fires every second is not parsed every second.</summary>
    private readonly ConcurrentDictionary<(string Cron, string Zone), CronSchedule?> _parsed = new();

    /// <summary>
    /// The most expressions <see cref="_parsed"/> keeps: callers choose them, so past this many it
    /// starts again empty rather than growing with every expression ever put.
    /// </summary>
    internal const int MostParsed = 1024;

    internal int ParsedCount => _parsed.Count;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>
    /// Creates or replaces a schedule; its next due time is the first occurrence after now (and
    /// after any due time already handled), or after a due time of the old definition that has
    /// come within <see cref="MisfireGrace"/> and not been fired yet. True when it is new. The
    /// definition was validated.
    /// </summary>
    public async Task<(ScheduleRecord Schedule, bool Created)> PutAsync(string circle, string name, ScheduleDefinition definition)
    {
        Ensure(circle, name);
        var cron = Parse(definition.Cron, definition.TimeZone)
            ?? throw new ArgumentException($"'{definition.Cron}' in '{definition.TimeZone}' is not a valid schedule.", nameof(definition));
        var db = Db;
        // Known before the schedule exists, so that a firer refreshing its list never misses it; and
        // a known circle for the workers (their reaper), since its firings submit outside TaskQueue.
        await Task.WhenAll(db.SetAddAsync(RedisKeys.ScheduleCircles, circle), db.SetAddAsync(RedisKeys.Circles, circle));
        for (var attempt = 0; ; attempt++)
        {
            var stored = await db.HashGetAsync(RedisKeys.Schedule(circle, name), [ScheduleHash.LastDue, ScheduleHash.Next]);
            var lastDue = stored[0];
            var now = time.GetUtcNow();
            // A due time that has come and not been fired yet, still within the grace a firing
            // has, survives the put: the new definition fires it, rather than tomorrow's.
            var from = TaskHash.Time(stored[1]) is { } due && due <= now && now - due <= MisfireGrace ? due.AddMilliseconds(-1) : now;
            if (TaskHash.Time(lastDue) is { } handled && handled > from)
                from = handled;
            var next = definition.Enabled ? cron.NextAfter(from) : null;
            var kind = await ScheduleScript.RunAsync(db, new ScheduleScript.Args(
                circle, name, (string?)lastDue ?? "", ScheduleHash.Ms(next), now.ToUnixTimeMilliseconds(), definition));
            if (kind != ScheduleScript.Kind.Raced)
                return (await GetAsync(circle, name) ?? throw new InvalidOperationException($"Schedule '{name}' vanished as it was put."), kind == ScheduleScript.Kind.Created);
            if (attempt == 10)
                throw new InvalidOperationException($"Schedule '{name}' kept firing while it was put; try again.");
        }
    }

    public async Task<ScheduleRecord?> GetAsync(string circle, string name)
    {
        Ensure(circle, name);
        return ScheduleHash.ToRecord(circle, name, await Db.HashGetAllAsync(RedisKeys.Schedule(circle, name)));
    }

    /// <summary>Every schedule of the circle, by name.</summary>
    public async Task<IReadOnlyList<ScheduleRecord>> ListAsync(string circle)
    {
        CircleName.Ensure(circle);
        var db = Db;
        var names = await db.SortedSetRangeByRankAsync(RedisKeys.Schedules(circle));
        var batch = db.CreateBatch();
        var reads = names.Select(n => (Name: (string)n!, Read: batch.HashGetAllAsync(RedisKeys.Schedule(circle, (string)n!)))).ToArray();
        batch.Execute();
        var found = new List<ScheduleRecord>(reads.Length);
        foreach (var (name, read) in reads)
        {
            if (ScheduleHash.ToRecord(circle, name, await read) is { } schedule)
                found.Add(schedule);
        }
        return found.OrderBy(s => s.Name, StringComparer.Ordinal).ToArray();
    }

    /// <summary>Removes a schedule; false when there was none. A task it already submitted is not touched.</summary>
    public async Task<bool> DeleteAsync(string circle, string name)
    {
        Ensure(circle, name);
        var db = Db;
        var transaction = db.CreateTransaction();
        var removed = transaction.SortedSetRemoveAsync(RedisKeys.Schedules(circle), name);
        var deleted = transaction.KeyDeleteAsync(RedisKeys.Schedule(circle, name));
        await transaction.ExecuteAsync();
        await db.PublishAsync(RedisKeys.ScheduleChanges, circle);
        return await removed | await deleted;
    }

    /// <summary>Every circle that has had a schedule.</summary>
    public async Task<IReadOnlyList<string>> ListCirclesAsync() =>
        (await Db.SetMembersAsync(RedisKeys.ScheduleCircles)).Select(m => (string?)m ?? "").Where(CircleName.IsValid).ToArray();

    /// <summary>
    /// The circle's earliest next due time, or null when none of its schedules is due ever (none,
    /// or all disabled). The schedules named in <paramref name="passOver"/> are not counted.
    /// </summary>
    public async Task<DateTimeOffset?> EarliestAsync(string circle, IReadOnlyCollection<string>? passOver = null)
    {
        CircleName.Ensure(circle);
        var skip = passOver?.Count ?? 0;
        foreach (var entry in await Db.SortedSetRangeByRankWithScoresAsync(RedisKeys.Schedules(circle), 0, skip))
        {
            if (!double.IsFinite(entry.Score))
                return null;
            if (passOver is null || !passOver.Contains((string)entry.Element!))
                return DateTimeOffset.FromUnixTimeMilliseconds((long)entry.Score);
        }
        return null;
    }

    /// <summary>
    /// Handles every due time of the circle that has come, each once across all processes; returns
    /// those this process handled (not those another process took first), and those it cannot
    /// (<see cref="FiringOutcome.NotHere"/>).
    /// </summary>
    public async Task<IReadOnlyList<Firing>> FireDueAsync(string circle)
    {
        CircleName.Ensure(circle);
        var db = Db;
        var now = time.GetUtcNow();
        var due = await db.SortedSetRangeByScoreWithScoresAsync(RedisKeys.Schedules(circle), double.NegativeInfinity, now.ToUnixTimeMilliseconds());
        var firings = new List<Firing>(due.Length);
        foreach (var entry in due)
        {
            var name = (string)entry.Element!;
            Firing? firing;
            try
            {
                firing = await FireAsync(db, circle, name, now);
            }
            catch (Exception ex) when (ex is not (RedisException or RedisTimeoutException or ObjectDisposedException or OperationCanceledException))
            {
                // A schedule whose stored fields do not read (written by hand, or by another
                // version) is left where it is, as one this process cannot work out, so that the
                // circle's other schedules still fire.
                firing = new Firing(circle, name, FiringOutcome.NotHere, null, null) { Error = ex };
            }
            if (firing is not null)
                firings.Add(firing);
        }
        return firings;
    }

    private async Task<Firing?> FireAsync(IDatabase db, string circle, string name, DateTimeOffset now)
    {
        var f = await db.HashGetAsync(RedisKeys.Schedule(circle, name),
            [ScheduleHash.Next, ScheduleHash.Rev, ScheduleHash.Cron, ScheduleHash.TimeZone, ScheduleHash.ScriptName]);
        if (TaskHash.Time(f[0]) is not { } stored || stored > now)
            return null; // handled meanwhile by another process
        if (Parse((string?)f[2] ?? "", (string?)f[3] ?? "") is not { } cron)
            return new Firing(circle, name, FiringOutcome.NotHere, stored, null);

        var (fire, next) = cron.Plan(stored, now, MisfireGrace);
        using var activity = fire is null ? null : GatewayMetrics.Source.StartActivity("schedule fire", ActivityKind.Producer);
        activity?.SetTag("gateway.circle", circle);
        activity?.SetTag("gateway.schedule", name);
        var reply = await FireScript.RunAsync(db, new FireScript.Args(
            circle, name, (string)f[0]!, (string?)f[1] ?? "", ScheduleHash.Ms(fire), ScheduleHash.Ms(next), now.ToUnixTimeMilliseconds(),
            limits?.Value.MaxPendingPerCircle ?? int.MaxValue, TaskIds.New(time), activity?.Id ?? "", TaskHash.Text(f[4])));
        switch (reply.Outcome)
        {
            case FiringOutcome.Moved:
                return null;
            case FiringOutcome.Fired:
                activity?.SetTag("gateway.task.id", reply.TaskId);
                GatewayMetrics.ScheduleFired(circle);
                GatewayMetrics.TaskSubmitted(circle, 1);
                break;
            case FiringOutcome.Missed:
                break; // counted below, with every due time passed over
            default:
                GatewayMetrics.ScheduleSkipped(circle, reply.Outcome);
                break;
        }
        // Each due time this move passed over without a firing: after downtime, or a firer late by more than a period.
        GatewayMetrics.ScheduleSkipped(circle, FiringOutcome.Missed, cron.Passed(stored, now, fire));
        return new Firing(circle, name, reply.Outcome, fire ?? stored, reply.TaskId);
    }

    /// <summary>The expression in its zone, or null when either does not parse here.</summary>
    internal CronSchedule? Parse(string cron, string zone)
    {
        if (_parsed.TryGetValue((cron, zone), out var known))
            return known;
        if (_parsed.Count >= MostParsed)
            _parsed.Clear();
        return _parsed.GetOrAdd((cron, zone), static key =>
            CronSchedule.TryFindZone(key.Zone, out var tz) && CronSchedule.TryParse(key.Cron, tz, out var schedule, out _) ? schedule : null);
    }

    private static void Ensure(string circle, string name)
    {
        CircleName.Ensure(circle);
        if (!CircleName.IsValid(name))
            throw new ArgumentException($"'{name}' is not a valid schedule name.", nameof(name));
    }
}
