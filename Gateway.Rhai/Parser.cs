using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace Gateway.Rhai;

internal enum NodeKind : byte
{
    Other,
    Literal,
    Local,
    Dynamic,
    Global,
    Index,
    Property,
    This,
    ArrayLiteral,
    MapLiteral,
    Call,
}

/// <summary>A parsed expression: its compiled code plus what assignment and parse-time checks need.</summary>
internal sealed class Node(NodeKind kind, Eval eval, int line, int col)
{
    public readonly NodeKind Kind = kind;
    public Eval E = eval;
    public readonly int Line = line;
    public readonly int Col = col;
    public Dynamic Value;
    public int Slot;
    public string? Name;
    public bool IsConst;
    public bool Safe;
    public Node? Base;
    public Node? Idx;
    public bool EndsWithBlock;

    public bool IsPlace => Kind is NodeKind.Local or NodeKind.Dynamic or NodeKind.Index or NodeKind.Property or NodeKind.This;

    // Reading a place in a value context copies arrays and maps (Rhai's value semantics).
    public Eval V
    {
        get
        {
            if (Kind is NodeKind.Local or NodeKind.Dynamic or NodeKind.Index or NodeKind.Property or NodeKind.This or NodeKind.Global)
            {
                var e = E;
                return f =>
                {
                    var v = e(f);
                    return v.Type is RhaiType.Array or RhaiType.Map or RhaiType.Blob ? v.Clone() : v;
                };
            }
            return E;
        }
    }

    // The node at the root of an index/property chain: the variable, when it is one.
    public Node Root
    {
        get
        {
            var n = this;
            while (n.Kind is NodeKind.Index or NodeKind.Property) n = n.Base!;
            return n;
        }
    }

    // The local variable at the root of an index/property chain, or -1.
    public int RootLocalSlot => Root is { Kind: NodeKind.Local } root ? root.Slot : -1;

    // The variable at the root of an index/property chain is a constant.
    public bool RootIsConst
    {
        get
        {
            var n = this;
            while (n.Kind is NodeKind.Index or NodeKind.Property) n = n.Base!;
            return n.Kind == NodeKind.Local && n.IsConst;
        }
    }
}

internal sealed class VarInfo(string name, int slot, bool isConst)
{
    public readonly string Name = name;
    public readonly int Slot = slot;
    public readonly bool IsConst = isConst;
}

/// <summary>
/// The variables visible at one call site in the caller's scope: those declared, innermost first,
/// then a closure's captured ones. Both are persistent views shared with the parser.
/// </summary>
internal sealed class VisibleNames(ImmutableDictionary<string, VarInfo> declared, ImmutableDictionary<string, VarInfo> captured)
{
    public bool TryGetValue(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out VarInfo info) =>
        declared.TryGetValue(name, out info) || captured.TryGetValue(name, out info);
}

/// <summary>The compile-time view of one frame: the script body, a <c>fn</c> or a closure.</summary>
internal sealed class FnCtx(FnCtx? parent, bool isClosure, bool isFunction)
{
    public readonly FnCtx? Parent = parent;
    public readonly bool IsClosure = isClosure;
    public readonly bool IsFunction = isFunction;
    public readonly List<(int Outer, int Inner)> Captures = [];

    // The variables in scope, the innermost declaration of each name, kept persistent: a block
    // that ends restores the view from before it, and a call in the caller's scope (`f!()`,
    // `call!()`, `eval`) holds the view of its moment for the price of a reference. (A dictionary
    // copied per call site made a script of many variables and many such calls quadratic in time
    // and memory to compile.) A closure's captured variables come after them.
    public ImmutableDictionary<string, VarInfo> Visible = ImmutableDictionary.Create<string, VarInfo>(StringComparer.Ordinal);
    public ImmutableDictionary<string, VarInfo> Captured = ImmutableDictionary.Create<string, VarInfo>(StringComparer.Ordinal);
    public readonly Stack<ImmutableDictionary<string, VarInfo>> VisibleOutside = new();

    // The variables of the outermost block, in the order they were declared: a script's top level.
    public readonly Dictionary<string, VarInfo> Outermost = new(StringComparer.Ordinal);

    public bool InOutermostBlock => VisibleOutside.Count == 0;
    public int Slots;
    public int LoopDepth;
    public bool IsTop => !IsClosure && !IsFunction;
}

internal sealed partial class Parser
{
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "var", "static", "shared", "goto", "match", "case", "public", "protected", "new", "use", "with",
        "module", "package", "super", "spawn", "thread", "go", "sync", "async", "await", "yield", "default",
        "void", "null", "nil", "is",
    };

    // Rhai's keyword functions: called by name, never a name a script declares.
    private static readonly HashSet<string> KeywordFunctions = new(StringComparer.Ordinal)
    {
        "print", "debug", "type_of", "eval", "Fn", "call", "curry", "is_def_var", "is_def_fn", "is_shared",
    };

    /// <summary>Rhai's is_valid_identifier (default features): ASCII letters, digits and _, with a letter before any digit.</summary>
    internal static bool IsValidIdentifier(string name)
    {
        var letter = false;
        foreach (var ch in name)
        {
            if (ch == '_') continue;
            if (char.IsAsciiLetter(ch)) letter = true;
            else if (!letter || !char.IsAsciiDigit(ch)) return false;
        }
        return letter;
    }

    /// <summary>A word Rhai reserves (a keyword function such as <c>print</c> among them): no variable, parameter or function may take it.</summary>
    internal static bool IsReservedName(string name) => Reserved.Contains(name) || KeywordFunctions.Contains(name);

    // A declared name that Rhai reserves is a syntax error naming it, as its parse_var_name makes one.
    private void RefuseReserved(Token name)
    {
        if (IsReservedName(name.Text)) throw Error($"'{name.Text}' is a reserved keyword", name, "Reserved");
    }

    private List<Token> toks;
    private readonly RhaiEngine engine;
    private readonly RhaiEngineOptions opt;
    private readonly RhaiAst ast;

    internal RhaiAst Ast => ast;
    private FnCtx ctx;
    private int p;
    private int depth;
    private int functionCount;

    // Expression-only parsing (`CompileExpression`), as Rhai's: a block holds one expression, a
    // switch case is an expression, and neither `{ … }` nor a loop is an expression.
    private bool expressionOnly;

    private readonly HashSet<string> scopeNames = new(StringComparer.Ordinal);

    private Parser(List<Token> tokens, RhaiEngine engine, RhaiAst ast)
    {
        toks = tokens;
        this.engine = engine;
        opt = engine.Options;
        this.ast = ast;
        ctx = new FnCtx(null, false, false);
    }

    // scopeNames: the host scope's variables, which strict variables counts as defined.
    public static RhaiAst Parse(string source, RhaiEngine engine, bool expressionOnly = false, IEnumerable<string>? scopeNames = null)
    {
        var ast = new RhaiAst(source);
        var parser = new Parser(Lexer.Tokenize(source), engine, ast);
        if (scopeNames is not null) parser.scopeNames.UnionWith(scopeNames);
        try
        {
            parser.ParseScript(expressionOnly);
        }
        catch (InsufficientExecutionStackException)
        {
            throw new RhaiParseException("ExprTooDeep", "Syntax error: Expression exceeds maximum complexity", 0, 0);
        }
        return ast;
    }

    // ---------------------------------------------------------------- tokens
    private Token Cur => toks[p];
    private Token PeekTok(int n = 1) => toks[Math.Min(p + n, toks.Count - 1)];
    private Token Prev => toks[Math.Max(p - 1, 0)];
    // Never past the end-of-script token: a script cut short (`for (`, `export x as`) is a syntax
    // error at its end, not a read past the tokens.
    private Token Next()
    {
        var t = toks[p];
        if (p < toks.Count - 1) p++;
        return t;
    }
    private bool At(string punct) => toks[p].Is(punct);
    private bool AtWord(string word) => toks[p].IsWord(word);

    private bool Accept(string punct)
    {
        if (!At(punct)) return false;
        p++;
        return true;
    }

    private Token Expect(string punct, string? message = null)
    {
        if (!At(punct))
        {
            throw Error(message ?? (Cur.Kind == TokenKind.Eof ? $"Expecting '{punct}'" : $"Unexpected '{Cur.Text}'"), Cur,
                message is null ? "BadInput" : "MissingToken");
        }
        return Next();
    }

    private static RhaiParseException Error(string message, Token at, string type = "BadInput") =>
        new(type, "Syntax error: " + message, at.Line, at.Column);

    private RhaiParseException Unexpected() =>
        Cur.Kind == TokenKind.Eof
            ? Error("Script is incomplete", Cur, "UnexpectedEOF")
            : Error($"Unexpected '{Cur.Text}'", Cur);

    private void CheckSymbol(Token t)
    {
        if (opt.DisabledSymbols.Count > 0 && opt.DisabledSymbols.Contains(t.Text))
        {
            if (t.Kind == TokenKind.Ident && t.Text is "eval" or "print" or "debug" or "type_of" or "Fn" or "call" or "curry")
            {
                throw Error($"reserved keyword '{t.Text}' is disabled", t);
            }
            throw Error(t.Kind == TokenKind.Ident ? $"'{t.Text}' is a reserved keyword" : $"'{t.Text}' is a reserved symbol", t, "Reserved");
        }
    }

    private void Enter(Token at)
    {
        var max = ctx.IsTop ? opt.MaxExpressionDepth : opt.MaxFunctionExpressionDepth;
        if (++depth > max && max > 0)
        {
            throw Error("Expression exceeds maximum complexity", at, "ExprTooDeep");
        }
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Error("Expression exceeds maximum complexity", at, "ExprTooDeep");
        }
    }

    private void Leave() => depth--;

    // ---------------------------------------------------------------- scopes
    private VarInfo Declare(string name, bool isConst, Token at)
    {
        if (!opt.AllowShadowing && Lookup(ctx, name, capture: false) is not null)
        {
            throw Error($"Variable already defined: {name}", at, "VariableExists");
        }
        var info = new VarInfo(name, ctx.Slots++, isConst);
        if (ctx.InOutermostBlock) ctx.Outermost[name] = info;
        ctx.Visible = ctx.Visible.SetItem(name, info);
        return info;
    }

    private static VarInfo? Lookup(FnCtx c, string name, bool capture)
    {
        if (c.Visible.TryGetValue(name, out var v) || c.Captured.TryGetValue(name, out v)) return v;
        if (c.IsClosure && c.Parent is not null)
        {
            var outer = Lookup(c.Parent, name, capture);
            if (outer is null || !capture) return outer;
            var inner = new VarInfo(name, c.Slots++, outer.IsConst);
            c.Captures.Add((outer.Slot, inner.Slot));
            c.Captured = c.Captured.SetItem(name, inner);
            return inner;
        }
        return null;
    }

    private void PushBlock() => ctx.VisibleOutside.Push(ctx.Visible);

    private void PopBlock() => ctx.Visible = ctx.VisibleOutside.Pop();

    // ---------------------------------------------------------------- script
    private void ParseScript(bool expressionOnly)
    {
        Eval main;
        this.expressionOnly = expressionOnly;
        if (expressionOnly)
        {
            var e = ParseExpr();
            if (Cur.Kind != TokenKind.Eof) throw Unexpected();
            main = e.E;
        }
        else
        {
            main = Sequence(ParseStatementsToEnd(topLevel: true), toks[0].Line, toks[0].Column);
        }
        ast.Main = main;
        ast.SlotCount = ctx.Slots;
        foreach (var (name, info) in ctx.Outermost)
        {
            ast.TopLevel.Add((name, info.Slot, info.IsConst));
        }
    }

    private void EndStatement(Node? s)
    {
        if (Accept(";")) return;
        if (At("}") || Cur.Kind == TokenKind.Eof) return;
        if (s is null || s.EndsWithBlock || Prev.Is("}")) return;
        throw Error("Expecting ';' to terminate this statement", Cur, "MissingSemicolon");
    }

    private static Eval Sequence(List<Eval> stmts, int line, int col)
    {
        switch (stmts.Count)
        {
            case 0:
                return _ => Dynamic.Unit;
            case 1:
                var only = stmts[0];
                return f =>
                {
                    f.R.Tick(line, col);
                    return only(f);
                };
            default:
                var arr = stmts.ToArray();
                return f =>
                {
                    var v = Dynamic.Unit;
                    for (var i = 0; i < arr.Length; i++)
                    {
                        f.R.Tick(line, col);
                        v = arr[i](f);
                        if (f.Sig != Frame.SigNone) return v;
                    }
                    return v;
                };
        }
    }

    // `{ ... }` with its own variable scope.
    // The statements up to the end of the tokens being read (the script, or one `${ ... }`).
    private List<Eval> ParseStatementsToEnd(bool topLevel)
    {
        var stmts = new List<Eval>();
        while (Cur.Kind != TokenKind.Eof)
        {
            if (Accept(";")) continue;
            var s = ParseStatement(topLevel);
            if (s is not null) stmts.Add(s.E);
            EndStatement(s);
        }
        return stmts;
    }

    private Node ParseBlock()
    {
        var open = Expect("{");
        Enter(open);
        PushBlock();
        if (expressionOnly)
        {
            var only = ParseExpr(statement: true);
            if (Cur.Kind == TokenKind.Punct && IsAssignOp(Cur.Text)) only = ParseAssignment(only);
            Expect("}");
            PopBlock();
            Leave();
            return new Node(NodeKind.Other, only.E, open.Line, open.Column) { EndsWithBlock = true };
        }
        var stmts = new List<Eval>();
        while (!At("}"))
        {
            if (Cur.Kind == TokenKind.Eof) throw Error("Expecting '}' to close the block", Cur, "MissingToken");
            if (Accept(";")) continue;
            var s = ParseStatement(topLevel: false);
            if (s is not null) stmts.Add(s.E);
            EndStatement(s);
        }
        Next();
        PopBlock();
        Leave();
        return new Node(NodeKind.Other, Sequence(stmts, open.Line, open.Column), open.Line, open.Column) { EndsWithBlock = true };
    }

    // ---------------------------------------------------------------- statements
    private Node? ParseStatement(bool topLevel)
    {
        var t = Cur;
        if (t.Kind == TokenKind.Ident)
        {
            CheckSymbol(t);
            switch (t.Text)
            {
                case "let":
                case "const":
                    return ParseLet(topLevel);
                case "fn":
                case "private" when PeekTok().IsWord("fn"):
                    if (!topLevel || !ctx.IsTop) throw Error("Function definitions can only appear at global level", t, "WrongFnDefinition");
                    ParseFunction();
                    return null;
                case "import":
                    return ParseImport();
                case "export":
                    if (!topLevel || !ctx.IsTop) throw Error("Export statement can only appear at global level", t, "WrongExport");
                    return ParseExport();
                case "return":
                    return ParseFlow(Frame.SigReturn);
                case "throw":
                    return ParseThrow();
                case "break":
                    return ParseFlow(Frame.SigBreak);
                case "continue":
                    Next();
                    return new Node(NodeKind.Other, f =>
                    {
                        f.Sig = Frame.SigContinue;
                        return Dynamic.Unit;
                    }, t.Line, t.Column);
                case "try":
                    return ParseTry();
            }
        }
        // As in Rhai, these are statements where a statement may start: what follows the block is
        // the next statement, so `if c { … } [1, 2]` ends in an array and `while c { … } -x` in a
        // negation, not in an index or a subtraction applied to the statement's value.
        if (t.Kind == TokenKind.Ident && t.Text is "if" or "switch" or "while" or "loop" or "do" or "for" || t.Kind == TokenKind.Punct && t.Text == "{")
            return ParsePrimary(statement: true);
        var expr = ParseExpr(statement: true);
        if (Cur.Kind == TokenKind.Punct && IsAssignOp(Cur.Text))
        {
            CheckSymbol(Cur);
            return ParseAssignment(expr);
        }
        return expr;
    }

    private static bool IsAssignOp(string s) => s is "=" or "+=" or "-=" or "*=" or "/=" or "%=" or "**=" or "<<=" or ">>=" or "&=" or "|=" or "^=";

    private Node ParseLet(bool topLevel) => ParseLet(topLevel, out _);

    private Node ParseLet(bool topLevel, out VarInfo declared)
    {
        var kw = Next();
        var isConst = kw.Text == "const";
        var nameTok = Next();
        if (nameTok.Kind != TokenKind.Ident) throw Error("Expecting name of a variable", nameTok, "VariableExpected");
        if (IsKeyword(nameTok.Text)) throw Error($"'{nameTok.Text}' is a reserved keyword", nameTok, "Reserved");
        RefuseReserved(nameTok);
        CheckSymbol(nameTok);
        Eval value = _ => Dynamic.Unit;
        Node? init = null;
        if (Accept("="))
        {
            init = ParseExpr();
            value = init.V;
        }
        else if (isConst)
        {
            throw Error("Expecting '=' after constant name", Cur, "MissingToken");
        }
        var info = Declare(nameTok.Text, isConst, nameTok);
        declared = info;
        var slot = info.Slot;
        var isGlobalConst = isConst && ctx.IsTop && ctx.InOutermostBlock;
        var name = nameTok.Text;
        int line = kw.Line, col = kw.Column;
        Eval e;
        if (isGlobalConst)
        {
            e = f =>
            {
                var v = value(f);
                f.L[slot] = v;
                // Not from an eval inside a block or a function: its constant is local there.
                if (f.Caller?.AtTop != false) f.R.Globals[name] = v;
                return Dynamic.Unit;
            };
        }
        else
        {
            e = f =>
            {
                var v = value(f);
                if (f.R.SizeLimited) f.R.CheckSize(v, line, col);
                f.L[slot] = v;
                return Dynamic.Unit;
            };
        }
        if (!opt.AllowShadowing && ctx.IsTop)
        {
            // The host's scope is known only when the script runs: Rhai checks it then.
            var declare = e;
            e = f => f.R.Scope.Contains(name)
                ? throw new RhaiException(RhaiErrorKind.VariableExists, $"Variable already defined: {name}", line, col)
                : declare(f);
        }
        return new Node(NodeKind.Other, e, kw.Line, kw.Column) { EndsWithBlock = init?.EndsWithBlock ?? false };
    }

    internal static bool IsKeyword(string s) => s is "let" or "const" or "if" or "else" or "switch" or "do" or "while" or "until"
        or "loop" or "for" or "in" or "continue" or "break" or "return" or "throw" or "try" or "catch" or "fn" or "private"
        or "import" or "export" or "as" or "true" or "false" or "this" or "global";

    private Node ParseFlow(int sig)
    {
        var kw = Next();
        Eval? value = null;
        if (!At(";") && !At("}") && Cur.Kind != TokenKind.Eof)
        {
            value = ParseExpr().V;
        }
        Eval e = value is null
            ? f =>
            {
                f.Sig = sig;
                f.SigValue = Dynamic.Unit;
                return Dynamic.Unit;
            }
            : f =>
            {
                var v = value(f);
                f.Sig = sig;
                f.SigValue = v;
                return v;
            };
        return new Node(NodeKind.Other, e, kw.Line, kw.Column);
    }

    private Node ParseThrow()
    {
        var kw = Next();
        Eval? value = null;
        if (!At(";") && !At("}") && Cur.Kind != TokenKind.Eof) value = ParseExpr().V;
        int line = kw.Line, col = kw.Column;
        return new Node(NodeKind.Other, f =>
        {
            var v = value is null ? Dynamic.Unit : value(f);
            throw new RhaiException(RhaiErrorKind.Runtime, v.IsUnit ? "Runtime error" : "Runtime error: " + v, line, col)
            {
                ThrownValue = v,
            };
        }, line, col);
    }

    private Node ParseTry()
    {
        var kw = Next();
        var body = ParseBlock().E;
        if (!AtWord("catch")) throw Error("Expecting 'catch' after 'try' block", Cur, "MissingToken");
        Next();
        PushBlock();
        var slot = -1;
        if (Accept("("))
        {
            var name = Next();
            if (name.Kind != TokenKind.Ident) throw Error("Expecting name of a variable", name, "VariableExpected");
            slot = Declare(name.Text, false, name).Slot;
            Expect(")");
        }
        var handler = ParseBlock().E;
        PopBlock();
        return new Node(NodeKind.Other, f =>
        {
            var depthAtTry = f.R.Depth;
            try
            {
                return body(f);
            }
            catch (RhaiException ex) when (ex.IsCatchable)
            {
                f.R.Depth = depthAtTry;
                if (slot >= 0) f.L[slot] = ErrorValue(ex);
                return handler(f);
            }
        }, kw.Line, kw.Column) { EndsWithBlock = true };
    }

    // What `catch (e)` receives: the thrown value, or Rhai's error map.
    internal static Dynamic ErrorValue(RhaiException ex)
    {
        if (ex.Kind == RhaiErrorKind.Runtime) return ex.ThrownValue;
        var map = new RhaiMap
        {
            ["error"] = Dynamic.FromString("Error" + ex.Kind),
            ["message"] = Dynamic.FromString(ex.Message),
        };
        if (ex.Kind != RhaiErrorKind.Arithmetic && ex.Line > 0)
        {
            map["line"] = Dynamic.FromInt(ex.Line);
            map["position"] = Dynamic.FromInt(ex.Column);
        }
        if (ex.Kind == RhaiErrorKind.FunctionNotFound && ex.Message.StartsWith("Function not found: ", StringComparison.Ordinal))
        {
            map["function"] = Dynamic.FromString(ex.Message["Function not found: ".Length..]);
        }
        return Dynamic.FromMap(map);
    }

    private Node ParseImport()
    {
        var kw = Next();
        var path = ParseExpr().V;
        string? alias = null;
        if (AtWord("as"))
        {
            Next();
            var a = Next();
            if (a.Kind != TokenKind.Ident) throw Error("Expecting name of a module", a, "VariableExpected");
            alias = a.Text;
            importAliases.Add(alias);
        }
        int line = kw.Line, col = kw.Column;
        var eng = engine;
        return new Node(NodeKind.Other, f =>
        {
            var name = path(f);
            if (name.Type != RhaiType.String) throw new RhaiException(RhaiErrorKind.MismatchDataType, "Module path must be a string", line, col);
            var module = eng.ResolveModule(name.AsString, f.R, line, col);
            if (alias is not null) f.R.Imports[alias] = module;
            return Dynamic.Unit;
        }, line, col);
    }

    private readonly HashSet<string> importAliases = new(StringComparer.Ordinal);

    private Node ParseExport()
    {
        var kw = Next();
        if (AtWord("let") || AtWord("const"))
        {
            var letNode = ParseLet(topLevel: true, out var declared);
            ast.Exports.Add((declared.Name, declared.Slot, declared.Name));
            return letNode;
        }
        var nameTok = Next();
        if (nameTok.Kind != TokenKind.Ident) throw Error("Expecting name of a variable", nameTok, "VariableExpected");
        var info = Lookup(ctx, nameTok.Text, capture: false) ?? throw Error($"Undefined variable: {nameTok.Text}", nameTok, "VariableUndefined");
        var alias = nameTok.Text;
        if (AtWord("as"))
        {
            Next();
            var aliasTok = Next();
            if (aliasTok.Kind != TokenKind.Ident) throw Error("Expecting name of a variable", aliasTok, "VariableExpected");
            RefuseReserved(aliasTok);
            alias = aliasTok.Text;
        }
        ast.Exports.Add((info.Name, info.Slot, alias));
        return new Node(NodeKind.Other, _ => Dynamic.Unit, kw.Line, kw.Column);
    }

    private void ParseFunction()
    {
        var isPrivate = false;
        if (AtWord("private"))
        {
            Next();
            isPrivate = true;
        }
        var kw = Next();
        var nameTok = Next();
        if (nameTok.Kind != TokenKind.Ident || IsKeyword(nameTok.Text))
        {
            throw Error("Expecting function name in function declaration", nameTok, "FnMissingName");
        }
        RhaiType? thisType = null;
        string? thisTypeName = null;
        if (At("."))
        {
            Next();
            // As Rhai records it: int and float by their Rust names, any other as written.
            thisTypeName = nameTok.Text switch { "int" => "i64", "float" => "f64", var other => other };
            thisType = nameTok.Text switch
            {
                "int" or "i64" => RhaiType.Int,
                "float" or "f64" => RhaiType.Float,
                "string" or "String" or "str" => RhaiType.String,
                "char" => RhaiType.Char,
                "bool" => RhaiType.Bool,
                "array" or "Array" => RhaiType.Array,
                "map" or "Map" => RhaiType.Map,
                "blob" or "Blob" => RhaiType.Blob,
                "timestamp" => RhaiType.Timestamp,
                "Fn" => RhaiType.FnPtr,
                _ => throw Error($"Unknown type: {nameTok.Text}", nameTok, "BadInput"),
            };
            nameTok = Next();
            if (nameTok.Kind != TokenKind.Ident) throw Error("Expecting function name in function declaration", nameTok, "FnMissingName");
        }
        RefuseReserved(nameTok);
        if (!At("(")) throw Error($"Expecting '(' after function name {nameTok.Text}", Cur, "FnMissingParams");
        Next();
        var saved = ctx;
        var savedDepth = depth;
        ctx = new FnCtx(null, isClosure: false, isFunction: true);
        depth = 0;
        var names = new List<string>();
        while (!At(")"))
        {
            var param = Next();
            if (param.Kind != TokenKind.Ident) throw Error($"Expecting a parameter name for function {nameTok.Text}", param, "FnMissingParams");
            RefuseReserved(param);
            if (names.Contains(param.Text))
            {
                throw Error($"Duplicated parameter {param.Text} for function {nameTok.Text}", param, "FnDuplicatedParam");
            }
            names.Add(param.Text);
            Declare(param.Text, false, param);
            if (!Accept(",")) break;
        }
        Expect(")");
        if (!At("{")) throw Error($"Expecting body statement block for function {nameTok.Text}", Cur, "FnMissingBody");
        var fn = new ScriptFunction
        {
            Name = nameTok.Text,
            Arity = names.Count,
            Params = [.. names],
            ThisType = thisType,
            ThisTypeName = thisTypeName,
            IsPrivate = isPrivate,
            Line = kw.Line,
            Column = kw.Column,
        };
        if (!ast.Functions.TryGetValue(fn.Name, out var list)) ast.Functions[fn.Name] = list = [];
        if (list.Any(x => x.Arity == fn.Arity && x.ThisType == fn.ThisType))
        {
            throw Error($"Function {fn.Name} with {fn.Arity} parameters already exists", kw, "FnDuplicatedDefinition");
        }
        if (opt.MaxFunctions > 0 && ++functionCount > opt.MaxFunctions)
        {
            throw Error("Number of functions defined exceeds maximum limit", kw, "TooManyFunctions");
        }
        list.Add(fn);
        fn.Body = ParseBlock().E;
        fn.SlotCount = ctx.Slots;
        ctx = saved;
        depth = savedDepth;
    }
}
