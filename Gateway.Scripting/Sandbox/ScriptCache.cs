using System.Collections.Concurrent;
using Acornima.Ast;
using Jint;

namespace Gateway.Scripting.Sandbox;

/// <summary>
/// Parsed scripts by content, bounded. A repeated script is not parsed again; a parse error
/// is not cached (it is thrown each time, which costs what a parse costs).
/// </summary>
internal sealed class ScriptCache(int capacity)
{
    private readonly ConcurrentDictionary<string, Prepared<Script>> _entries = new(StringComparer.Ordinal);

    public Prepared<Script> Get(string source)
    {
        if (capacity == 0)
            return Prepare(source);
        if (_entries.TryGetValue(source, out var prepared))
            return prepared;

        prepared = Prepare(source);
        if (_entries.Count >= capacity)
        {
            // Cheap, coarse eviction: drop everything rather than track recency on the hot path.
            _entries.Clear();
        }
        _entries.TryAdd(source, prepared);
        return prepared;
    }

    public int Count => _entries.Count;

    private static Prepared<Script> Prepare(string source) => Engine.PrepareScript(source, strict: true);
}
