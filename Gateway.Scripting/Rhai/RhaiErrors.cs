using Gateway.Core.Queueing;
using Gateway.Rhai;

namespace Gateway.Scripting.Rhai;

/// <summary>
/// A Rhai error as an error of the contract: the same codes as JavaScript tasks, with the line
/// and column Rhai reports, and the thrown value as the message of a <c>throw</c>.
/// </summary>
internal static class RhaiErrors
{
    private const int MaxMessageChars = 2_000;

    /// <summary>Everything but a stop (timeout or cancellation), which the runner tells apart itself.</summary>
    public static TaskError Classify(RhaiException error, RhaiEngineOptions limits)
    {
        var (code, message) = error.Category switch
        {
            // Too deep a nesting is a limit, as API.md says, even though Rhai finds it while parsing.
            RhaiErrorCategory.Syntax when IsTooDeep(error) =>
                (ErrorCodes.RecursionLimit, "The script is nested too deeply: " + error.Message),
            RhaiErrorCategory.Syntax => (ErrorCodes.SyntaxError, error.Message),
            RhaiErrorCategory.OperationLimit =>
                (ErrorCodes.StatementLimit, $"The script ran more than the {limits.MaxOperations} operations it is allowed."),
            RhaiErrorCategory.RecursionLimit =>
                (ErrorCodes.RecursionLimit, $"Stack overflow: the script nested calls too deeply (at most {limits.MaxCallLevels} levels)."),
            RhaiErrorCategory.DataLimit => (ErrorCodes.MemoryLimit, DataLimit(error, limits)),
            RhaiErrorCategory.Terminated => (ErrorCodes.Timeout, "The script ran longer than its time limit."),
            _ => (ErrorCodes.ScriptError, ScriptMessage(error)),
        };
        message = message.Length <= MaxMessageChars ? message : string.Concat(message.AsSpan(0, MaxMessageChars), "…");
        return error.Line > 0 ? new TaskError(code, message, error.Line, error.Column) : new TaskError(code, message);
    }

    /// <summary>
    /// Nesting past the parser's depth limit: in the script itself (the parse error says so), or
    /// in a string given to <c>eval</c> at run time, where Rhai reports it as a parsing error
    /// with the parser's message only.
    /// </summary>
    private static bool IsTooDeep(RhaiException error) =>
        error is RhaiParseException parse
            ? parse.ParseErrorType == "ExprTooDeep"
            : error.Message.Contains("exceeds maximum complexity", StringComparison.Ordinal);

    /// <summary>A <c>throw</c>'s value as it is (a string without quotes), else Rhai's message, with the functions it passed through.</summary>
    private static string ScriptMessage(RhaiException error)
    {
        var message = error.Kind == RhaiErrorKind.Runtime && !error.ThrownValue.IsUnit
            ? error.ThrownValue.ToString()
            : error.Message;
        return message + error.CallTrail;
    }

    private static string DataLimit(RhaiException error, RhaiEngineOptions limits) => error.Message switch
    {
        var m when m.Contains("string", StringComparison.OrdinalIgnoreCase) => $"{m}: a string may have at most {limits.MaxStringSize} characters.",
        var m when m.Contains("array", StringComparison.OrdinalIgnoreCase) => $"{m}: an array may have at most {limits.MaxArraySize} elements, nested ones included.",
        var m when m.Contains("map", StringComparison.OrdinalIgnoreCase) => $"{m}: an object map may have at most {limits.MaxMapSize} entries, nested ones included.",
        var m => $"{m}: the script ran out of memory.",
    };
}
