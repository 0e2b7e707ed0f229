using System.Text;

namespace Gateway.Scripting.Modules;

/// <summary>
/// How a script language spells the modules' names: JavaScript as they are written here
/// (<c>calendarId</c>, <c>calendar.createEvent</c>), Rhai in snake case (<c>calendar_id</c>,
/// <c>calendar::create_event</c>). Errors name fields the way the script wrote them.
/// </summary>
internal sealed class ModuleNaming
{
    public static readonly ModuleNaming JavaScript = new(snake: false);

    public static readonly ModuleNaming Rhai = new(snake: true);

    private readonly bool _snake;

    private ModuleNaming(bool snake) => _snake = snake;

    /// <summary>A field or function name as the script spells it.</summary>
    public string Name(string camel) => _snake ? ToSnake(camel) : camel;

    /// <summary>A module function as the script calls it.</summary>
    public string Function(string module, string function) =>
        _snake ? $"{module}::{ToSnake(function)}" : $"{module}.{function}";

    /// <summary><c>calendarId</c> → <c>calendar_id</c>.</summary>
    public static string ToSnake(string camel)
    {
        if (!camel.Any(char.IsAsciiLetterUpper))
            return camel;
        var text = new StringBuilder(camel.Length + 4);
        foreach (var c in camel)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                if (text.Length > 0)
                    text.Append('_');
                text.Append(char.ToLowerInvariant(c));
            }
            else
            {
                text.Append(c);
            }
        }
        return text.ToString();
    }

    /// <summary><c>calendar_id</c> → <c>calendarId</c>; a name without underscores stays as it is.</summary>
    public static string ToCamel(string snake)
    {
        if (!snake.Contains('_', StringComparison.Ordinal))
            return snake;
        var text = new StringBuilder(snake.Length);
        var upper = false;
        foreach (var c in snake)
        {
            if (c == '_' && text.Length > 0)
            {
                upper = true;
                continue;
            }
            text.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        return text.ToString();
    }
}
