namespace Gateway.Rhai;

/// <summary>
/// A compiled script: immutable after <see cref="RhaiEngine.Compile(string)"/>, so one instance may be
/// cached (for instance by the hash of its text) and evaluated by many threads at once.
/// </summary>
public sealed class RhaiAst
{
    internal RhaiAst(string source)
    {
        Source = source;
    }

    /// <summary>The script's text.</summary>
    public string Source { get; }

    internal Eval Main { get; set; } = _ => Dynamic.Unit;
    internal int SlotCount { get; set; }
    internal Dictionary<string, List<ScriptFunction>> Functions { get; } = new(StringComparer.Ordinal);
    /// <summary>The script's closures, in the order they appear.</summary>
    internal List<ScriptFunction> Closures { get; } = [];
    internal List<(string Name, int Slot, bool Constant)> TopLevel { get; } = [];
    internal List<(string Name, int Slot, string Alias)> Exports { get; } = [];

    /// <summary>The names of the script's <c>fn</c> definitions.</summary>
    public IEnumerable<string> FunctionNames => Functions.Keys;

    internal bool HasFunction(string name) => Functions.ContainsKey(name);

    internal ScriptFunction? FindFunction(string name, int arity)
    {
        if (!Functions.TryGetValue(name, out var list)) return null;
        foreach (var fn in list)
        {
            if (fn.Arity == arity && fn.ThisType is null) return fn;
        }
        return null;
    }

    internal ScriptFunction? FindMethod(string name, int arity, RhaiType thisType)
    {
        if (!Functions.TryGetValue(name, out var list)) return null;
        ScriptFunction? untyped = null;
        foreach (var fn in list)
        {
            if (fn.Arity != arity) continue;
            if (fn.ThisType == thisType) return fn;
            if (fn.ThisType is null) untyped = fn;
        }
        return untyped;
    }
}
