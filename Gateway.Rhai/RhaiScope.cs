namespace Gateway.Rhai;

/// <summary>
/// Variables a host passes into an evaluation (for instance <c>args</c> and <c>task</c>), and the
/// top-level variables a script leaves behind, so one scope can serve several evaluations.
/// Not thread-safe: one scope per evaluation at a time.
/// </summary>
public sealed class RhaiScope
{
    private readonly Dictionary<string, (Dynamic Value, bool Constant)> vars = new(StringComparer.Ordinal);

    /// <summary>Adds or replaces a variable.</summary>
    public RhaiScope Push(string name, Dynamic value)
    {
        vars[name] = (value, false);
        return this;
    }

    /// <summary>Adds or replaces a constant (scripts cannot assign to it).</summary>
    public RhaiScope PushConstant(string name, Dynamic value)
    {
        vars[name] = (value, true);
        return this;
    }

    /// <summary>Reads a variable.</summary>
    public bool TryGetValue(string name, out Dynamic value)
    {
        if (vars.TryGetValue(name, out var entry))
        {
            value = entry.Value;
            return true;
        }
        value = Dynamic.Unit;
        return false;
    }

    /// <summary>Whether the scope holds <paramref name="name"/>.</summary>
    public bool Contains(string name) => vars.ContainsKey(name);

    /// <summary>Whether <paramref name="name"/> is a constant.</summary>
    public bool IsConstant(string name) => vars.TryGetValue(name, out var entry) && entry.Constant;

    /// <summary>The variables' names.</summary>
    public IEnumerable<string> Names => vars.Keys;

    internal void Set(string name, Dynamic value) =>
        vars[name] = (value, vars.TryGetValue(name, out var entry) && entry.Constant);

    internal void Define(string name, Dynamic value, bool constant) => vars[name] = (value, constant);
}
