using StackExchange.Redis;

namespace Gateway.Core.Redis;

/// <summary>
/// Circles an operator paused. A paused circle still accepts tasks and keeps them waiting; no
/// worker claims one of them until it is resumed, and tasks already running finish. The circle's
/// own flag (<see cref="RedisKeys.PausedFlag"/>) is what every script that leases a task reads,
/// so no task of the circle is leased once <see cref="SetAsync"/> has returned. The set
/// <see cref="RedisKeys.Paused"/> lists the paused circles for the worker processes' copies,
/// which spare them claims that would find nothing; each change is told on
/// <see cref="RedisKeys.PauseChanges"/> as <c>"circle paused"</c> or <c>"circle resumed"</c>, and
/// raised in this process at once through <see cref="Changed"/>.
/// </summary>
public sealed class CirclePauses(IConnectionMultiplexer redis)
{
    private const string PausedWord = " paused";
    private const string ResumedWord = " resumed";

    /// <summary>A circle this process paused (true) or resumed (false), raised before the change is told to the others.</summary>
    public event Action<string, bool>? Changed;

    /// <summary>
    /// Pauses or resumes <paramref name="circle"/>; doing what is already so changes nothing. The
    /// flag and the set live in different slots of a cluster, so they are written one after the
    /// other: the set first when pausing and last when resuming, so that a copy never counts a
    /// circle as claimable while its flag holds; a call that failed between them is made whole by
    /// calling again.
    /// </summary>
    public async Task SetAsync(string circle, bool paused)
    {
        CircleName.Ensure(circle);
        var db = redis.GetDatabase();
        if (paused)
        {
            await db.SetAddAsync(RedisKeys.Paused, circle);
            await db.StringSetAsync(RedisKeys.PausedFlag(circle), "1");
        }
        else
        {
            await db.KeyDeleteAsync(RedisKeys.PausedFlag(circle));
            await db.SetRemoveAsync(RedisKeys.Paused, circle);
        }
        Changed?.Invoke(circle, paused);
        // Told even when nothing changed: a process that missed the first message hears this one.
        await db.PublishAsync(RedisKeys.PauseChanges, circle + (paused ? PausedWord : ResumedWord));
    }

    /// <summary>Every paused circle.</summary>
    public async Task<IReadOnlySet<string>> GetAllAsync() =>
        (await redis.GetDatabase().SetMembersAsync(RedisKeys.Paused)).Select(v => (string)v!).ToHashSet(StringComparer.Ordinal);

    /// <summary>Reads a message of <see cref="RedisKeys.PauseChanges"/>; false when it is not one.</summary>
    public static bool TryReadMessage(string? message, out string circle, out bool paused)
    {
        paused = message?.EndsWith(PausedWord, StringComparison.Ordinal) == true;
        var word = paused ? PausedWord : ResumedWord;
        circle = message is not null && message.EndsWith(word, StringComparison.Ordinal) ? message[..^word.Length] : "";
        return CircleName.IsValid(circle);
    }
}
