namespace Gateway.Core.Queueing;

/// <summary>The language a task's script is written in.</summary>
public enum ScriptLanguage
{
    JavaScript,
    Rhai,
}

/// <summary>The wire names of <see cref="ScriptLanguage"/>, as stored in Redis and shown by the API.</summary>
public static class ScriptLanguages
{
    public const string JavaScript = "javascript";
    public const string Rhai = "rhai";

    public static string ToWire(this ScriptLanguage language) => language == ScriptLanguage.Rhai ? Rhai : JavaScript;

    /// <summary>Case-insensitive; absent or empty is JavaScript (tasks stored before languages existed).</summary>
    public static bool TryParse(string? wire, out ScriptLanguage language)
    {
        language = ScriptLanguage.JavaScript;
        if (string.IsNullOrEmpty(wire) || string.Equals(wire, JavaScript, StringComparison.OrdinalIgnoreCase))
            return true;
        if (!string.Equals(wire, Rhai, StringComparison.OrdinalIgnoreCase))
            return false;
        language = ScriptLanguage.Rhai;
        return true;
    }

    public static ScriptLanguage Parse(string? wire) => TryParse(wire, out var language) ? language : ScriptLanguage.JavaScript;
}
