using System.Text.Json;

namespace Gateway.Scripting.Modules;

/// <summary>
/// A domain module as both script languages see it: its functions take their arguments as JSON
/// and return JSON text, so the rules are written once and each language only converts values
/// (<see cref="JsModules"/>, <see cref="RhaiModules"/>).
/// </summary>
internal sealed record DomainModule(string Name, IReadOnlyList<ModuleFunction> Functions);

/// <summary>
/// One function: <paramref name="MinArgs"/>…<paramref name="MaxArgs"/> arguments (JavaScript
/// passes what the script gave; Rhai registers one overload per count). The body returns the
/// result as JSON text and throws <see cref="ModuleException"/> to refuse.
/// </summary>
internal sealed record ModuleFunction(string Name, int MinArgs, int MaxArgs, Func<ModuleScope, ModuleArgs, string> Body)
{
    public ModuleFunction(string name, int args, Func<ModuleScope, ModuleArgs, string> body)
        : this(name, args, args, body)
    {
    }
}

/// <summary>The arguments of a call as JSON; one the script left out is <see cref="JsonValueKind.Undefined"/>.</summary>
internal readonly struct ModuleArgs(IReadOnlyList<JsonElement> values)
{
    public JsonElement this[int index] => index < values.Count ? values[index] : default;

    /// <summary>
    /// Whether every string and property name in the arguments is Unicode text. JSON may escape a
    /// lone surrogate (JavaScript strings can hold one); reading it as a .NET string then throws.
    /// </summary>
    public bool AreText() => values.All(IsText);

    private static bool IsText(JsonElement value)
    {
        try
        {
            return value.ValueKind switch
            {
                JsonValueKind.String => value.GetString() is not null,
                JsonValueKind.Array => value.EnumerateArray().All(IsText),
                JsonValueKind.Object => value.EnumerateObject().All(p => p.Name is not null && IsText(p.Value)),
                _ => true,
            };
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

/// <summary>The modules every task gets.</summary>
internal static class DomainModules
{
    public static readonly IReadOnlyList<DomainModule> All = [CalendarModule.Definition, FlowModule.Definition, LegalModule.Definition];
}
