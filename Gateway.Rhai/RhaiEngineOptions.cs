namespace Gateway.Rhai;

/// <summary>
/// Limits, language switches and host hooks of a <see cref="RhaiEngine"/>. Zero for a size or
/// operations limit means unlimited, as in Rhai's <c>Engine::new()</c>; a host running untrusted
/// scripts sets all of them.
/// </summary>
public sealed class RhaiEngineOptions
{
    /// <summary>Operations (statements, expressions, calls, loop iterations) one evaluation may run; 0 = unlimited.</summary>
    public long MaxOperations { get; set; }

    /// <summary>The clock behind <c>timestamp()</c> and <c>elapsed</c>.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Nested function calls; Rhai's default is 64.</summary>
    public int MaxCallLevels { get; set; } = 64;

    /// <summary>Nesting depth of expressions and blocks at parse time; Rhai's default is 64.</summary>
    public int MaxExpressionDepth { get; set; } = 64;

    /// <summary>Nesting depth inside function bodies; Rhai's default is 32.</summary>
    public int MaxFunctionExpressionDepth { get; set; } = 32;

    /// <summary>Largest string, in UTF-16 code units; 0 = unlimited.</summary>
    public int MaxStringSize { get; set; }

    /// <summary>Largest array or blob, counting nested arrays' elements; 0 = unlimited.</summary>
    public int MaxArraySize { get; set; }

    /// <summary>Largest object map, counting nested maps' entries; 0 = unlimited.</summary>
    public int MaxMapSize { get; set; }

    /// <summary>Most <c>fn</c> definitions in one script; 0 = unlimited.</summary>
    public int MaxFunctions { get; set; }

    /// <summary>Reading a missing map property is an error instead of <c>()</c>.</summary>
    public bool FailOnInvalidMapProperty { get; set; }

    /// <summary><c>if</c> may be used as an expression.</summary>
    public bool AllowIfExpression { get; set; } = true;

    /// <summary>Blocks <c>{ ... }</c> may be used as expressions.</summary>
    public bool AllowStatementExpression { get; set; } = true;

    /// <summary>Closures <c>|x| ...</c> are allowed.</summary>
    public bool AllowAnonymousFunctions { get; set; } = true;

    /// <summary><c>while</c>, <c>loop</c>, <c>do</c> and <c>for</c> are allowed.</summary>
    public bool AllowLooping { get; set; } = true;

    /// <summary>Loops may be used as expressions (<c>let x = loop { break 1; }</c>).</summary>
    public bool AllowLoopExpressions { get; set; } = true;

    /// <summary>A <c>let</c> may shadow a variable of the same name.</summary>
    public bool AllowShadowing { get; set; } = true;

    /// <summary>Using an undeclared variable is a syntax error.</summary>
    public bool StrictVariables { get; set; }

    /// <summary>Keywords and operators scripts may not use (Rhai's <c>disable_symbol</c>).</summary>
    public ISet<string> DisabledSymbols { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Receives each <c>print</c> line.</summary>
    public Action<string>? OnPrint { get; set; }

    /// <summary>Receives each <c>debug</c> line with its line and column.</summary>
    public Action<string, int, int>? OnDebug { get; set; }

    /// <summary>
    /// Finds the source of a script module for <c>import "path"</c> when no static module has that
    /// name; null (the default) means only static modules can be imported.
    /// </summary>
    public Func<string, string?>? ModuleSourceResolver { get; set; }
}
