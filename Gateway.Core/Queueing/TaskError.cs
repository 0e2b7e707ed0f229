namespace Gateway.Core.Queueing;

/// <summary>Why a task failed. <see cref="Code"/> is one of <see cref="ErrorCodes"/>.</summary>
public sealed record TaskError(string Code, string Message, int? Line = null, int? Column = null);

/// <summary>The error codes of the API contract.</summary>
public static class ErrorCodes
{
    public const string SyntaxError = "syntax_error";
    public const string ScriptError = "script_error";
    public const string Timeout = "timeout";
    public const string MemoryLimit = "memory_limit";
    public const string StatementLimit = "statement_limit";
    public const string RecursionLimit = "recursion_limit";
    public const string ResultTooLarge = "result_too_large";
    public const string Lost = "lost";
    public const string Internal = "internal";
}
