using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>
/// The key schema. Every key of a circle carries the hash tag <c>{circle}</c>, so all of a
/// circle's keys live in one cluster slot and every multi-key script stays legal on a cluster.
/// Circle names are validated before they get here; ids are generated or validated.
/// </summary>
public static class RedisKeys
{
    public const string Prefix = "rhai:";

    /// <summary>Set of every circle that has had a task (its own slot; written outside circle scripts).</summary>
    public static readonly RedisKey Circles = Prefix + "circles";

    /// <summary>Hash of live workers (its own slot).</summary>
    public static readonly RedisKey Workers = Prefix + "workers";

    /// <summary>
    /// List of ids waiting at priority 0, LPUSH in, RPOP out (FIFO). Its name predates priorities
    /// and stays, so that existing keys and autoscalers watching it keep working.
    /// </summary>
    public static RedisKey Queue(string circle) => Of(circle).Lanes[TaskPriority.Lowest];

    /// <summary>The list of ids waiting at one priority: <see cref="Queue(string)"/> for 0, <c>…:p1</c> … <c>…:p9</c> above.</summary>
    public static RedisKey Queue(string circle, int priority) =>
        (uint)priority < TaskPriority.Count
            ? Of(circle).Lanes[priority]
            : throw new ArgumentOutOfRangeException(nameof(priority), priority, "A priority is 0 … 9.");

    /// <summary>Every priority's list, lowest first: element <c>n</c> is priority <c>n</c>.</summary>
    public static ReadOnlySpan<RedisKey> Lanes(string circle) => Of(circle).Lanes;

    /// <summary>Sorted set id → due time (ms) of scheduled tasks: delayed submits and retries waiting out their backoff.</summary>
    public static RedisKey Scheduled(string circle) => Of(circle).Scheduled;

    /// <summary>
    /// What counts against a circle's quota of waiting tasks, in the order lanes.lua expects them:
    /// <see cref="Scheduled"/>, then <see cref="Lanes"/>. Every script that adds a waiting task
    /// (submit.lua, fire.lua) declares them so.
    /// </summary>
    public static ReadOnlySpan<RedisKey> Waiting(string circle) => Of(circle).Waiting;

    /// <summary>Hash of one task.</summary>
    public static RedisKey Task(string circle, string id) => Of(circle).TaskPrefix + id;

    /// <summary>The prefix a Lua script appends an id to, to name a task's hash.</summary>
    public static string TaskPrefix(string circle) => Of(circle).TaskPrefix;

    /// <summary>Sorted set id → lease deadline (ms) of tasks being run.</summary>
    public static RedisKey Processing(string circle) => Of(circle).Processing;

    /// <summary>Sorted set id → created time (ms), for listing.</summary>
    public static RedisKey Index(string circle) => Of(circle).Index;

    /// <summary>
    /// Sorted set id → the time (ms) the task failed, of the circle's failed tasks: written by the
    /// scripts that fail a task (complete.lua, reap.lua) and trimmed by the reaper once the
    /// retention has passed since, as the task's record expires. The failed filter of a task
    /// list, "retry failed" and the circle's <c>failed</c> figure read it instead of looking
    /// through every task.
    /// </summary>
    public static RedisKey Failed(string circle) => Of(circle).Failed;

    /// <summary>
    /// String: how far the walk that indexes a circle's earlier failures has come
    /// (<c>created:skip</c>), or <c>done</c>. Failures recorded before <see cref="Failed"/> existed are indexed
    /// by that walk (index-failures.lua), once per circle.
    /// </summary>
    public static RedisKey FailedIndexed(string circle) => $"{Prefix}failed-indexed:{{{circle}}}";

    /// <summary>
    /// String holding "id|fingerprint" of the task an idempotency key created. The caller's key is
    /// hashed: it never becomes part of a Redis key as sent.
    /// </summary>
    public static RedisKey Idempotency(string circle, string key) =>
        $"{Prefix}idem:{{{circle}}}:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))}";

    /// <summary>Hash of a circle's domain entities of one kind (calendar, event, flow, contract): id → JSON.</summary>
    public static RedisKey Models(string circle, string kind) => $"{Prefix}model:{{{circle}}}:{kind}";

    /// <summary>Hash of a circle's id counters, one field per entity kind.</summary>
    public static RedisKey ModelIds(string circle) => $"{Prefix}model:{{{circle}}}:ids";

    /// <summary>String counting the UTF-8 bytes of JSON a circle's entities of every kind take together.</summary>
    public static RedisKey ModelBytes(string circle) => $"{Prefix}model:{{{circle}}}:bytes";

    /// <summary>Hash of a circle's registered scripts: name → latest version.</summary>
    public static RedisKey Scripts(string circle) => $"{Prefix}scripts:{{{circle}}}";

    /// <summary>
    /// Hash of one registered script's versions: <c>latest</c>, and per version n the fields
    /// <c>n:script</c>, <c>n:sha256</c>, <c>n:language</c>, <c>n:description</c>, <c>n:created</c>.
    /// </summary>
    public static RedisKey Script(string circle, string name) => $"{Prefix}script:{{{circle}}}:{name}";

    /// <summary>Sorted set of a circle's schedules: name → next due time (ms), +inf when disabled.</summary>
    public static RedisKey Schedules(string circle) => $"{Prefix}schedules:{{{circle}}}";

    /// <summary>Hash of one schedule (<see cref="ScheduleHash"/>).</summary>
    public static RedisKey Schedule(string circle, string name) => $"{Prefix}schedule:{{{circle}}}:{name}";

    /// <summary>Set of every circle that has had a schedule (its own slot; written outside circle scripts).</summary>
    public static readonly RedisKey ScheduleCircles = Prefix + "schedule-circles";

    /// <summary>Pub/sub channel: a circle's name whenever one of its schedules was put or deleted.</summary>
    public static readonly RedisChannel ScheduleChanges = RedisChannel.Literal(Prefix + "schedule-changes");

    /// <summary>
    /// Set of the circles an operator paused (its own slot): the list the worker processes' copies
    /// read. What the scripts obey is each circle's own <see cref="PausedFlag"/>.
    /// </summary>
    public static readonly RedisKey Paused = Prefix + "paused";

    /// <summary>
    /// String that exists while the circle is paused. Every script that leases a task (a claim, a
    /// completion claiming the next, a submit starting its tasks here) reads it in the same step,
    /// so no task is leased once a pause is answered, whichever process claims and whatever it has heard.
    /// </summary>
    public static RedisKey PausedFlag(string circle) => Of(circle).PausedFlag;

    /// <summary>What a claim reads, in the order claiming.lua expects: the lanes of priorities 0..9, then <see cref="PausedFlag"/>.</summary>
    public static ReadOnlySpan<RedisKey> Claimable(string circle) => Of(circle).Claimable;

    /// <summary>Pub/sub channel: a circle's name whenever it was paused or resumed.</summary>
    public static readonly RedisChannel PauseChanges = RedisChannel.Literal(Prefix + "pause-changes");

    /// <summary>Pub/sub channel with one message per state change (<see cref="TaskEventMessage"/>).</summary>
    public static string Events(string circle) => Of(circle).Events;

    /// <summary>The pattern that matches every circle's events channel.</summary>
    public static readonly RedisChannel AllEvents = RedisChannel.Pattern(Prefix + "events:*");

    /// <summary>The circle named by an events channel, or null when it is not one.</summary>
    public static string? CircleOfEvents(string channel)
    {
        const string head = Prefix + "events:{";
        return channel.StartsWith(head, StringComparison.Ordinal) && channel.EndsWith('}')
            ? channel[head.Length..^1]
            : null;
    }

    /// <summary>Most circles whose keys are kept; past it the kept ones are dropped and built again as used.</summary>
    private const int KeptCircles = 1024;

    private static readonly ConcurrentDictionary<string, CircleKeys> s_circles = new(StringComparer.Ordinal);

    /// <summary>
    /// The keys of a circle that its tasks' scripts name on every submit, claim and completion
    /// (a submit names fifteen), built once per circle instead of once per call.
    /// </summary>
    private static CircleKeys Of(string circle)
    {
        if (s_circles.TryGetValue(circle, out var keys))
            return keys;
        if (s_circles.Count >= KeptCircles)
            s_circles.Clear();
        return s_circles.GetOrAdd(circle, static c => new CircleKeys(c));
    }

    private sealed class CircleKeys
    {
        public CircleKeys(string circle)
        {
            Lanes = new RedisKey[TaskPriority.Count];
            for (var p = 0; p < Lanes.Length; p++)
                Lanes[p] = p == TaskPriority.Lowest ? $"{Prefix}queue:{{{circle}}}" : $"{Prefix}queue:{{{circle}}}:p{p}";
            Scheduled = $"{Prefix}scheduled:{{{circle}}}";
            Waiting = [Scheduled, .. Lanes];
            PausedFlag = $"{Prefix}paused:{{{circle}}}";
            Claimable = [.. Lanes, PausedFlag];
            TaskPrefix = $"{Prefix}task:{{{circle}}}:";
            Processing = $"{Prefix}processing:{{{circle}}}";
            Index = $"{Prefix}tasks:{{{circle}}}";
            Failed = $"{Prefix}failed:{{{circle}}}";
            Events = $"{Prefix}events:{{{circle}}}";
        }

        public RedisKey[] Lanes { get; }
        public RedisKey Scheduled { get; }
        public RedisKey[] Waiting { get; }
        public RedisKey PausedFlag { get; }
        public RedisKey[] Claimable { get; }
        public string TaskPrefix { get; }
        public RedisKey Processing { get; }
        public RedisKey Index { get; }
        public RedisKey Failed { get; }
        public string Events { get; }
    }
}
