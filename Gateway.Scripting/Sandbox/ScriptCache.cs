using System.Collections.Concurrent;
using Acornima.Ast;
using Jint;

namespace Gateway.Scripting.Sandbox;

/// <summary>
/// Prepared scripts by content, bounded. A repeated script is not prepared again; an error of
/// <paramref name="prepare"/> (a syntax error) is not cached: it is thrown each time, which
/// costs what a parse costs.
/// </summary>
internal class ContentCache<T>(int capacity, Func<string, T> prepare)
{
    private readonly ConcurrentDictionary<string, T> _entries = new(StringComparer.Ordinal);

    public T Get(string source)
    {
        if (capacity == 0)
            return prepare(source);
        if (_entries.TryGetValue(source, out var prepared))
            return prepared;

        prepared = prepare(source);
        if (_entries.Count >= capacity)
        {
            // Cheap, coarse eviction: drop everything rather than track recency on the hot path.
            _entries.Clear();
        }
        _entries.TryAdd(source, prepared);
        return prepared;
    }

    public int Count => _entries.Count;
}

/// <summary>Parsed JavaScript, in strict mode.</summary>
internal sealed class ScriptCache(int capacity)
    : ContentCache<Prepared<Script>>(capacity, source => Engine.PrepareScript(source, strict: true));
