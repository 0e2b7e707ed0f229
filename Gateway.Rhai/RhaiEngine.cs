namespace Gateway.Rhai;

/// <summary>Per-evaluation hooks, so one engine can serve concurrent runs that each capture their own output.</summary>
public sealed class RhaiRunOptions
{
    /// <summary>Receives each <c>print</c> line of this run (instead of the engine's <see cref="RhaiEngineOptions.OnPrint"/>).</summary>
    public Action<string>? OnPrint { get; init; }

    /// <summary>Receives each <c>debug</c> line of this run with its line and column.</summary>
    public Action<string, int, int>? OnDebug { get; init; }
}

/// <summary>
/// A Rhai engine: compiles scripts into reusable <see cref="RhaiAst"/>s and evaluates them with a
/// <see cref="RhaiScope"/>, its limits and a cancellation token. Thread-safe once configured:
/// register modules and functions before the first evaluation.
/// </summary>
/// <example>
/// <code>
/// var engine = new RhaiEngine(new RhaiEngineOptions { MaxOperations = 1_000_000 });
/// engine.RegisterStaticModule("calendar", new RhaiModule().SetFunction("create_event", 1, args => ...));
/// var ast = engine.Compile(source);                       // cache by content hash
/// var scope = new RhaiScope().Push("args", RhaiJson.FromJsonString(argsJson));
/// var result = engine.Eval(ast, scope, new RhaiRunOptions { OnPrint = output.Add }, token);
/// var json = RhaiJson.ToJsonNode(result);
/// </code>
/// </example>
public sealed class RhaiEngine
{
    private readonly Dictionary<string, RhaiModule> staticModules = new(StringComparer.Ordinal);
    private readonly RhaiModule globalFunctions = new();

    /// <summary>An engine with <paramref name="options"/> (Rhai's defaults when null).</summary>
    public RhaiEngine(RhaiEngineOptions? options = null)
    {
        Options = options ?? new RhaiEngineOptions();
    }

    /// <summary>Limits, switches and hooks; change them before the first evaluation.</summary>
    public RhaiEngineOptions Options { get; }

    /// <summary>Makes <paramref name="module"/> reachable as <c>name::member</c> and by <c>import "name"</c>.</summary>
    public RhaiEngine RegisterStaticModule(string name, RhaiModule module)
    {
        staticModules[name] = module;
        return this;
    }

    /// <summary>Adds a global function (callable as <c>name(...)</c> or as a method on its first argument).</summary>
    public RhaiEngine RegisterFunction(string name, int arity, Func<Dynamic[], Dynamic> function)
    {
        globalFunctions.SetFunction(name, arity, function);
        return this;
    }

    /// <summary>Parses and compiles a script. Throws <see cref="RhaiParseException"/> with line and column.</summary>
    public RhaiAst Compile(string script) => Parser.Parse(script, this);

    /// <summary>
    /// Compiles a script to run in <paramref name="scope"/> (Rhai's <c>compile_with_scope</c>): with
    /// <see cref="RhaiEngineOptions.StrictVariables"/>, the scope's variables count as defined.
    /// </summary>
    public RhaiAst Compile(string script, RhaiScope scope) => Parser.Parse(script, this, scopeNames: scope.Names);

    /// <summary>Compiles a single expression (no statements).</summary>
    public RhaiAst CompileExpression(string script) => Parser.Parse(script, this, expressionOnly: true);

    /// <summary>Compiles a single expression to run in <paramref name="scope"/>, as <see cref="Compile(string, RhaiScope)"/>.</summary>
    public RhaiAst CompileExpression(string script, RhaiScope scope) =>
        Parser.Parse(script, this, expressionOnly: true, scopeNames: scope.Names);

    /// <summary>Compiles <paramref name="script"/> knowing <paramref name="scope"/>, and evaluates it.</summary>
    public Dynamic Eval(string script, RhaiScope? scope = null, CancellationToken cancellationToken = default) =>
        Eval(scope is null ? Compile(script) : Compile(script, scope), scope, null, cancellationToken);

    /// <summary>
    /// Evaluates a compiled script and returns its last value. Top-level variables it declares are
    /// left in <paramref name="scope"/>. Throws <see cref="RhaiException"/>; its
    /// <see cref="RhaiException.Category"/> classifies the failure.
    /// </summary>
    public Dynamic Eval(RhaiAst ast, RhaiScope? scope = null, RhaiRunOptions? run = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ast);
        scope ??= new RhaiScope();
        var runtime = new Runtime(this, ast, scope, cancellationToken) { Run = run };
        var frame = new Frame(new Dynamic[ast.SlotCount], runtime);
        try
        {
            Dynamic value;
            try
            {
                value = ast.Main(frame);
                if (frame.Sig == Frame.SigReturn) value = frame.SigValue;
            }
            catch (RhaiExit exit)
            {
                value = exit.Value;
            }
            foreach (var (name, slot, constant) in ast.TopLevel)
            {
                scope.Define(name, Deref(frame.L[slot]), constant);
            }
            return Deref(value);
        }
        catch (InsufficientExecutionStackException)
        {
            throw new RhaiException(RhaiErrorKind.StackOverflow, "Stack overflow", 0, 0);
        }
        catch (OutOfMemoryException)
        {
            throw new RhaiException(RhaiErrorKind.DataTooLarge, "Out of memory", 0, 0);
        }
    }

    private static Dynamic Deref(Dynamic v) => v.Type == RhaiType.Shared ? ((SharedCell)v.Obj!).Value : v;

    internal bool HasStaticModule(string name) => staticModules.ContainsKey(name);

    internal RhaiModule? FindFunction(string name, int arity) => globalFunctions.Find(name, arity) is null ? null : globalFunctions;

    internal RhaiModule FindModule(string name, Runtime r, int line, int col)
    {
        if (r.Imports.TryGetValue(name, out var module)) return module;
        if (staticModules.TryGetValue(name, out module)) return module;
        throw new RhaiException(RhaiErrorKind.ModuleNotFound, $"Module not found: {name}", line, col);
    }

    internal RhaiModule ResolveModule(string path, Runtime r, int line, int col)
    {
        if (staticModules.TryGetValue(path, out var module)) return module;
        var source = Options.ModuleSourceResolver?.Invoke(path)
            ?? throw new RhaiException(RhaiErrorKind.ModuleNotFound, $"Module not found: {path}", line, col);
        var ast = Compile(source);
        var saved = r.Ast;
        r.Ast = ast;
        var frame = new Frame(new Dynamic[ast.SlotCount], r);
        try
        {
            ast.Main(frame);
        }
        catch (RhaiExit)
        {
            // As Rhai: an exit in a module ends the module, whose exports so far are kept.
        }
        finally
        {
            r.Ast = saved;
        }
        module = new RhaiModule { ScriptAst = ast };
        foreach (var (_, slot, alias) in ast.Exports) module.SetVariable(alias, Deref(frame.L[slot]));
        return module;
    }

    // `eval(text)`: runs in the caller's evaluation and sees the variables at the call; its
    // top-level variables join the scope.
    internal Dynamic EvalNested(string script, Runtime r, int line, int col)
    {
        RhaiAst ast;
        try
        {
            ast = Compile(script);
        }
        catch (RhaiParseException e)
        {
            throw new RhaiException(RhaiErrorKind.Parsing, e.Message, line, col);
        }
        // As Rhai: the evaluated text may not define functions.
        if (ast.Functions.Count > 0)
            throw new RhaiException(RhaiErrorKind.Parsing, "Function definitions can only appear at global level, not in an eval", line, col);
        var caller = r.TakePendingCaller();
        var frame = new Frame(new Dynamic[ast.SlotCount], r) { Caller = caller };
        var value = ast.Main(frame);
        if (frame.Sig == Frame.SigReturn) value = frame.SigValue;
        foreach (var (name, slot, constant) in ast.TopLevel)
        {
            r.Scope.Define(name, Deref(frame.L[slot]), constant);
            // A constant declared by an eval inside a block or a function is not a global.
            if (constant && caller?.AtTop != false) r.Globals[name] = Deref(frame.L[slot]);
        }
        return Deref(value);
    }
}
