namespace Gateway.Core.Models;

/// <summary>
/// The circles' domain entities (calendars, events, flows, contracts) as JSON, one collection per
/// circle and kind, with ids counting up per circle and kind. A circle's entities together take
/// at most a limit of bytes: a create or change beyond it is refused with a
/// <see cref="ModelLimitException"/>, and nothing is stored. Every failure of the store itself
/// is a <see cref="ModelStoreException"/>: callers never see the backend's types.
/// </summary>
public interface IModelStore
{
    /// <summary>Stores a new entity; <paramref name="build"/> turns the new id into its JSON.</summary>
    Task<string> CreateAsync(string circle, string kind, Func<long, string> build);

    Task<string?> GetAsync(string circle, string kind, long id);

    /// <summary>Every entity of a kind, ordered by id.</summary>
    Task<IReadOnlyList<string>> ListAsync(string circle, string kind);

    /// <summary>
    /// At most <paramref name="limit"/> entities of a kind whose ids come after
    /// <paramref name="after"/>, ordered by id; <see cref="ModelPage.Next"/> is the id to pass as
    /// <paramref name="after"/> for the following page, null when there is none. A following page
    /// may prove empty when the highest ids were deleted.
    /// </summary>
    Task<ModelPage> ListPageAsync(string circle, string kind, long after, int limit);

    /// <summary>
    /// Changes an entity: <paramref name="change"/> gets its JSON and returns the new JSON (or
    /// throws to refuse). Null when there is no such entity. No concurrent update is lost. A change
    /// that shrinks the entity is never refused for the limit.
    /// </summary>
    Task<string?> UpdateAsync(string circle, string kind, long id, Func<string, string> change);

    Task<bool> DeleteAsync(string circle, string kind, long id);

    /// <summary>The bytes of JSON the circle's entities take together, and the most they may.</summary>
    Task<ModelUsage> GetUsageAsync(string circle);
}

/// <summary>One page of a kind's entities (JSON, ordered by id) and where the next one starts.</summary>
public sealed record ModelPage(IReadOnlyList<string> Items, long? Next);

/// <summary>What a circle's entities take (<paramref name="Bytes"/>, UTF-8 JSON) against its limit.</summary>
public sealed record ModelUsage(long Bytes, long MaxBytes);

/// <summary>The store could not do what was asked: unreachable, timed out, or too contended.</summary>
public sealed class ModelStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A create or change would make the circle's entities take more than <see cref="MaxBytes"/> bytes of JSON.</summary>
public sealed class ModelLimitException(string circle, long maxBytes)
    : Exception($"The entities of circle '{circle}' would take more than {maxBytes} bytes.")
{
    public string Circle { get; } = circle;

    public long MaxBytes { get; } = maxBytes;
}
