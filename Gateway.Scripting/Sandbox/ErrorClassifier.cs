using System.Text.RegularExpressions;
using Acornima;
using Gateway.Core.Queueing;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;

namespace Gateway.Scripting.Sandbox;

/// <summary>
/// Turns whatever ended a run into an error code of the contract and a message fit for the
/// caller: the script's own words, never a server path or a .NET stack trace.
/// </summary>
internal static class ErrorClassifier
{
    private const int MaxMessageChars = 2_000;

    public static TaskError Classify(Exception exception) => exception switch
    {
        ScriptPreparationException { InnerException: ParseErrorException parse } => Syntax(parse),
        ScriptPreparationException { InnerException: InsufficientExecutionStackException } =>
            new(ErrorCodes.RecursionLimit, "The script is nested too deeply to parse."),
        ScriptPreparationException prepare when TooDeep(prepare) is { } nesting =>
            new(ErrorCodes.RecursionLimit, Trim("The script is nested too deeply to parse: " + nesting.Message)),
        ResultNotSerializableException bad => new(ErrorCodes.ScriptError, Trim("The result cannot be turned into JSON: " + Describe(bad.Inner.Error))),
        ParseErrorException parse => Syntax(parse),
        JavaScriptException js when IsStackOverflow(js) => new(ErrorCodes.RecursionLimit, "Maximum call stack size exceeded."),
        JavaScriptException js => WithLocation(ErrorCodes.ScriptError, js),
        PromiseRejectedException rejected => new(ErrorCodes.ScriptError, Trim("Uncaught (in promise) " + Describe(rejected.RejectedValue))),
        RecursionDepthOverflowException or InsufficientExecutionStackException =>
            new(ErrorCodes.RecursionLimit, "Maximum call depth exceeded."),
        MemoryLimitExceededException memory => new(ErrorCodes.MemoryLimit, Trim(memory.Message)),
        OutOfMemoryException => new(ErrorCodes.MemoryLimit, "The script ran out of memory."),
        StatementsCountOverflowException => new(ErrorCodes.StatementLimit, "The script ran more statements than it is allowed."),
        RegexMatchTimeoutException => new(ErrorCodes.Timeout, "A regular expression took longer than it is allowed."),
        TimeoutException or OperationCanceledException or ExecutionCanceledException =>
            new(ErrorCodes.Timeout, "The script ran longer than its time limit."),
        _ => new(ErrorCodes.Internal, "The script could not be run because of an internal error."),
    };

    /// <summary>
    /// Jint's own bound on the syntax tree it prepares (256 levels: a chain of calls, properties
    /// or operators counts one level per link), wrapped once by the preparation of the task's
    /// script. (Scripts cannot prepare code of their own: string compilation is off.)
    /// </summary>
    private static ScriptPreparationException? TooDeep(ScriptPreparationException prepare) =>
        prepare.InnerException is ScriptPreparationException { InnerException: null } nesting
            && nesting.Message.Contains("nesting exceeds", StringComparison.Ordinal) ? nesting : null;

    private static TaskError Syntax(ParseErrorException parse) =>
        new(ErrorCodes.SyntaxError, Trim(parse.Description ?? "Invalid syntax."), parse.LineNumber, parse.Column + 1);

    private static TaskError WithLocation(string code, JavaScriptException js)
    {
        var start = js.Location.Start;
        return start.Line > 0
            ? new(code, Trim(Describe(js.Error)), start.Line, start.Column + 1)
            : new(code, Trim(Describe(js.Error)));
    }

    private static bool IsStackOverflow(JavaScriptException js) =>
        js.Error is ObjectInstance error && DataProperty(error, "message") is { } message
            && message.IsString() && message.AsString().Contains("call stack size", StringComparison.Ordinal);

    /// <summary>
    /// "Name: message" of a thrown value, read from data properties only: a getter or a
    /// toString of the script's would run script code outside its time budget.
    /// </summary>
    internal static string Describe(JsValue thrown)
    {
        if (thrown is ObjectInstance error)
        {
            var message = DataProperty(error, "message");
            var name = DataProperty(error, "name");
            var text = message is { } m && m.IsString() ? m.AsString() : "";
            return name is { } n && n.IsString() ? (text.Length > 0 ? $"{n.AsString()}: {text}" : n.AsString())
                : text.Length > 0 ? text : "Uncaught exception (an object)";
        }
        return thrown.IsString() ? thrown.AsString() : thrown.ToString();
    }

    private static JsValue? DataProperty(ObjectInstance target, string key)
    {
        for (var o = target; o is not null; o = o.Prototype)
        {
            // A proxy's descriptor trap is script code; Jint keeps its proxy type internal.
            if (o.GetType().Name.Contains("Proxy", StringComparison.Ordinal))
                return null;
            var descriptor = o.GetOwnProperty(key);
            if (descriptor == Jint.Runtime.Descriptors.PropertyDescriptor.Undefined)
                continue;
            return descriptor.IsDataDescriptor() ? descriptor.Value : null;
        }
        return null;
    }

    private static string Trim(string message) =>
        message.Length <= MaxMessageChars ? message : string.Concat(message.AsSpan(0, MaxMessageChars), "…");
}

/// <summary>The completion value could not be serialized (a cycle, a BigInt).</summary>
internal sealed class ResultNotSerializableException(JavaScriptException inner) : Exception("The result is not serializable.", inner)
{
    public JavaScriptException Inner { get; } = inner;
}
