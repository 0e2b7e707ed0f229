namespace Gateway.Core.Models;

/// <summary>
/// The circles' domain entities (calendars, events, flows, contracts) as JSON, one collection per
/// circle and kind, with ids counting up per circle and kind. Every failure of the store itself
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
    /// Changes an entity: <paramref name="change"/> gets its JSON and returns the new JSON (or
    /// throws to refuse). Null when there is no such entity. No concurrent update is lost.
    /// </summary>
    Task<string?> UpdateAsync(string circle, string kind, long id, Func<string, string> change);

    Task<bool> DeleteAsync(string circle, string kind, long id);
}

/// <summary>The store could not do what was asked: unreachable, timed out, or too contended.</summary>
public sealed class ModelStoreException(string message, Exception? inner = null) : Exception(message, inner);
