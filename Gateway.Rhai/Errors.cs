namespace Gateway.Rhai;

/// <summary>What went wrong, in Rhai's own terms (<c>EvalAltResult</c> / <c>ParseErrorType</c> names without the prefix).</summary>
public enum RhaiErrorKind
{
    /// <summary>The script does not parse.</summary>
    Parsing,
    /// <summary><c>throw</c>, or a host function's error.</summary>
    Runtime,
    /// <summary>Overflow, division by zero, bad number parsing.</summary>
    Arithmetic,
    /// <summary>No function with that name and those argument types.</summary>
    FunctionNotFound,
    /// <summary>No variable with that name.</summary>
    VariableNotFound,
    /// <summary>A map has no such property (only with <c>FailOnInvalidMapProperty</c>).</summary>
    PropertyNotFound,
    /// <summary>Array or blob index out of bounds.</summary>
    ArrayBounds,
    /// <summary>String index out of bounds.</summary>
    StringBounds,
    /// <summary>Bit-field index out of bounds.</summary>
    BitFieldBounds,
    /// <summary>A value of the wrong type.</summary>
    MismatchDataType,
    /// <summary>The result is not of the type the host asked for.</summary>
    MismatchOutputType,
    /// <summary>Assignment to a constant.</summary>
    AssignmentToConstant,
    /// <summary>A mutating method called on a constant.</summary>
    NonPureMethodCallOnConstant,
    /// <summary>A property that cannot be read or written.</summary>
    DotExpr,
    /// <summary>A value that cannot be indexed.</summary>
    IndexingType,
    /// <summary>A value that cannot be iterated by <c>for</c>.</summary>
    For,
    /// <summary>An unknown module in <c>import</c> or a path.</summary>
    ModuleNotFound,
    /// <summary>A variable already defined (shadowing disallowed).</summary>
    VariableExists,
    /// <summary>A captured variable used by a callback while a call on that variable still runs.</summary>
    DataRace,
    /// <summary>The operations limit was reached.</summary>
    TooManyOperations,
    /// <summary>The call-levels limit (or the host's stack) was reached.</summary>
    StackOverflow,
    /// <summary>A string, array or map grew past its limit.</summary>
    DataTooLarge,
    /// <summary>The run was cancelled (cancellation token or deadline).</summary>
    Terminated,
}

/// <summary>How a host should report an error: the gateway's error codes map one to one.</summary>
public enum RhaiErrorCategory
{
    /// <summary>The script does not parse (<c>syntax_error</c>).</summary>
    Syntax,
    /// <summary>A runtime error or an uncaught <c>throw</c> (<c>script_error</c>).</summary>
    Script,
    /// <summary>Too many operations (<c>statement_limit</c>).</summary>
    OperationLimit,
    /// <summary>Too many call levels or too deep an expression (<c>recursion_limit</c>).</summary>
    RecursionLimit,
    /// <summary>A string, array or map too large (<c>memory_limit</c>).</summary>
    DataLimit,
    /// <summary>Cancelled or past its deadline (<c>timeout</c> / <c>cancelled</c>, the host knows which).</summary>
    Terminated,
}

/// <summary>
/// <c>exit(value)</c>: the script ends here with that value, from any depth. Not an error, so no
/// <c>catch</c> sees it; <see cref="RhaiEngine.Eval(RhaiAst, RhaiScope?, RhaiRunOptions?, CancellationToken)"/> answers the value.
/// </summary>
internal sealed class RhaiExit(Dynamic value) : Exception("exit")
{
    public Dynamic Value { get; } = value;
}

/// <summary>Any error a Rhai script can end with. <see cref="Line"/>/<see cref="Column"/> are 1-based, 0 when unknown.</summary>
public class RhaiException : Exception
{
    internal RhaiException(RhaiErrorKind kind, string message, int line, int column, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Line = line;
        Column = column;
    }

    /// <summary>The root cause, even when the error happened inside a function call.</summary>
    public RhaiErrorKind Kind { get; }

    /// <summary>1-based line of the error, 0 when unknown.</summary>
    public int Line { get; internal set; }

    /// <summary>1-based column of the error, 0 when unknown.</summary>
    public int Column { get; internal set; }

    /// <summary>The value given to <c>throw</c> (for <see cref="RhaiErrorKind.Runtime"/>), else <c>()</c>.</summary>
    public Dynamic ThrownValue { get; internal init; }

    /// <summary>The names of the script functions the error passed through, innermost first.</summary>
    public IReadOnlyList<string> CallStack => [.. calls.Select(c => c.Name)];

    /// <summary>
    /// The functions the error passed through, in Rhai's words, one line each, innermost first:
    /// <c>in call to function 'f' (line 1, position 31)</c>, or <c>in closure call (…)</c> for a closure.
    /// </summary>
    public string CallTrail
    {
        get
        {
            var trail = new System.Text.StringBuilder();
            foreach (var (name, line, column) in calls)
            {
                trail.Append(name.StartsWith("anon$", StringComparison.Ordinal) ? "\nin closure call" : $"\nin call to function '{name}'");
                if (line > 0) trail.Append($" (line {line}, position {column})");
            }
            return trail.ToString();
        }
    }

    internal readonly List<(string Name, int Line, int Column)> calls = [];

    /// <summary>Whether a script's <c>try</c>/<c>catch</c> may catch it (limits and cancellation never are).</summary>
    public bool IsCatchable => Kind is not (RhaiErrorKind.Parsing or RhaiErrorKind.TooManyOperations
        or RhaiErrorKind.StackOverflow or RhaiErrorKind.DataTooLarge or RhaiErrorKind.Terminated);

    /// <summary>The host-facing classification of <see cref="Kind"/>.</summary>
    public RhaiErrorCategory Category => Kind switch
    {
        RhaiErrorKind.Parsing => RhaiErrorCategory.Syntax,
        RhaiErrorKind.TooManyOperations => RhaiErrorCategory.OperationLimit,
        RhaiErrorKind.StackOverflow => RhaiErrorCategory.RecursionLimit,
        RhaiErrorKind.DataTooLarge => RhaiErrorCategory.DataLimit,
        RhaiErrorKind.Terminated => RhaiErrorCategory.Terminated,
        _ => RhaiErrorCategory.Script,
    };

    /// <summary>The message with Rhai's position suffix, e.g. <c>Division by zero: 1 / 0 (line 1, position 7)</c>.</summary>
    public string FullMessage
    {
        get
        {
            var text = Line > 0 ? $"{Message} (line {Line}, position {Column})" : Message;
            return text + CallTrail;
        }
    }
}

/// <summary>A syntax error; <see cref="ParseErrorType"/> is Rhai's <c>ParseErrorType</c> name (e.g. <c>BadInput</c>).</summary>
public sealed class RhaiParseException : RhaiException
{
    internal RhaiParseException(string parseErrorType, string message, int line, int column)
        : base(RhaiErrorKind.Parsing, message, line, column)
    {
        ParseErrorType = parseErrorType;
    }

    /// <summary>Rhai's parse error type, e.g. <c>BadInput</c>, <c>MalformedIndexExpr</c>, <c>ExprTooDeep</c>.</summary>
    public string ParseErrorType { get; }
}
