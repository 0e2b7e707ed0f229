namespace Gateway.Rhai;

/// <summary>
/// A module the host provides: functions (host delegates over Rhai values) and constants.
/// Registered on the engine it is reachable as <c>name::function(...)</c> and through
/// <c>import "name" as alias;</c>.
/// </summary>
public sealed class RhaiModule
{
    internal readonly Dictionary<string, List<(int Arity, Func<Dynamic[], Dynamic> Fn)>> Functions = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, Dynamic> Variables = new(StringComparer.Ordinal);
    internal RhaiAst? ScriptAst;

    /// <summary>
    /// Adds a function. <paramref name="arity"/> -1 accepts any number of arguments. The delegate
    /// may throw <see cref="RhaiHostException"/> to raise an error scripts can catch.
    /// </summary>
    public RhaiModule SetFunction(string name, int arity, Func<Dynamic[], Dynamic> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (!Functions.TryGetValue(name, out var list)) Functions[name] = list = [];
        list.Add((arity, function));
        return this;
    }

    /// <summary>Adds a constant, read as <c>module::name</c>.</summary>
    public RhaiModule SetVariable(string name, Dynamic value)
    {
        Variables[name] = value;
        return this;
    }

    internal Func<Dynamic[], Dynamic>? Find(string name, int arity)
    {
        if (!Functions.TryGetValue(name, out var list)) return null;
        foreach (var (a, fn) in list)
        {
            if (a == arity || a < 0) return fn;
        }
        return null;
    }
}

/// <summary>
/// Thrown by a host function to raise an error a script's <c>try</c>/<c>catch</c> receives as
/// <see cref="Value"/> (for instance an object map with a code and a message).
/// </summary>
public sealed class RhaiHostException : Exception
{
    /// <summary>An error whose caught value is <paramref name="value"/>.</summary>
    public RhaiHostException(Dynamic value)
        : base(value.ToString())
    {
        Value = value;
    }

    /// <summary>An error whose caught value is the string <paramref name="message"/>.</summary>
    public RhaiHostException(string message)
        : base(message)
    {
        Value = Dynamic.FromString(message);
    }

    /// <summary>The value the script's <c>catch (e)</c> receives.</summary>
    public Dynamic Value { get; }
}
