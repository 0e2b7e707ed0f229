using System.Runtime.CompilerServices;

namespace Gateway.Rhai;

internal sealed partial class Parser
{
    private static int Precedence(string op) => op switch
    {
        "||" or "|" or "^" => 30,
        "&&" or "&" => 60,
        "==" or "!=" => 90,
        "in" or "!in" => 110,
        "<" or "<=" or ">" or ">=" => 130,
        "??" => 135,
        ".." or "..=" => 140,
        "+" or "-" => 150,
        "*" or "/" or "%" => 180,
        "**" => 190,
        "<<" or ">>" => 210,
        _ => -1,
    };

    private string? BinaryOpAt()
    {
        var t = Cur;
        if (t.Kind == TokenKind.Punct)
        {
            if (t.Text == "!" && PeekTok().IsWord("in")) return "!in";
            return Precedence(t.Text) > 0 ? t.Text : null;
        }
        if (t.Kind == TokenKind.Ident && t.Text == "in") return "in";
        return null;
    }

    private Node ParseExpr(bool statement = false)
    {
        Enter(Cur);
        var n = ParseBinary(0, statement);
        Leave();
        return n;
    }

    // Each operator of a chain is one level deeper, as in Rhai (parse_binary_op levels up per
    // operator), and the chain itself one more: with a limit of N, N - 2 operators compile and
    // N - 1 do not (tests/stack.rs). `1 + 1 + … + 1` longer than that is ExprTooDeep, not a tree
    // whose evaluation recurses past the end of the stack.
    private Node ParseBinary(int minPrec, bool statement = false)
    {
        var left = ParseUnary(statement);
        var levels = 0;
        while (true)
        {
            var op = BinaryOpAt();
            if (op is null) break;
            var prec = Precedence(op);
            if (prec < minPrec) break;
            var opTok = Next();
            CheckSymbol(opTok);
            if (op == "!in") Next();
            if (levels == 0)
            {
                Enter(opTok); // the chain itself
                levels++;
            }
            Enter(opTok);
            levels++;
            var right = op switch
            {
                // As Rhai's parse_binary_op: `x ?? return`, `?? throw`, `?? break`, `?? continue`.
                "??" when AtWord("return") || AtWord("throw") || AtWord("break") || AtWord("continue") => ParseStatement(topLevel: false)!,
                // An open end (`a..]`, `a..)`, `a..;` …) is (), which `..` makes INT's maximum.
                ".." or "..=" when At("]") || At(")") || At("}") || At(",") || At(";") || At("=>") => Literal(Dynamic.Unit, Cur),
                "**" => ParseBinary(prec),
                _ => ParseBinary(prec + 1),
            };
            left = Ops.MakeBinary(op, left, right, opTok);
        }
        depth -= levels;
        return left;
    }

    private Node ParseUnary(bool statement = false)
    {
        var t = Cur;
        if (t.Kind == TokenKind.Punct && t.Text is "-" or "+" or "!")
        {
            Next();
            Enter(t);
            Node result;
            if (t.Text == "-" && Cur.Kind is TokenKind.Int or TokenKind.Float)
            {
                // A negative literal is one token for Rhai: `-5.abs()` is 5, `-9223372036854775808` an INT.
                var num = Next();
                Dynamic v = num.Kind == TokenKind.Int
                    ? Dynamic.FromInt(unchecked(-num.IntValue))
                    : num.OverflowDigits == "9223372036854775808" ? Dynamic.FromInt(long.MinValue) : Dynamic.FromFloat(-num.FloatValue);
                if (num.Kind == TokenKind.Int && num.IntValue == long.MinValue) v = Dynamic.FromInt(long.MinValue);
                result = ParsePostfix(Literal(v, t));
            }
            else
            {
                var operand = ParseUnary();
                result = Ops.MakeUnary(t.Text, operand, t);
            }
            Leave();
            return result;
        }
        return ParsePostfix(ParsePrimary(statement));
    }

    private static Node Literal(Dynamic v, Token t) => new(NodeKind.Literal, _ => v, t.Line, t.Column) { Value = v };

    // Rhai does not limit a chain's length (`x.f().f()…`, `m.a.a…`, `a[0][0]…`), and each link's
    // evaluation calls the one before it: every GuardEvery-th link first checks that the stack
    // has room, so a chain of thousands ends as a stack overflow error rather than a crash.
    private const int GuardEvery = 32;

    private Node ParsePostfix(Node n)
    {
        // Whether a `?.` or `?[` stands earlier in the chain, kept as it grows rather than walked
        // again at each link (a walk per link made a long chain quadratic to parse).
        var chainSafe = ChainIsSafe(n);
        for (var links = 1; ; links++)
        {
            if (links % GuardEvery == 0)
            {
                var inner = n.E;
                n.E = f =>
                {
                    RuntimeHelpers.EnsureSufficientExecutionStack();
                    return inner(f);
                };
            }
            var t = Cur;
            if (t.Is(".") || t.Is("?."))
            {
                Next();
                var safe = t.Text == "?.";
                var name = Next();
                if (name.Kind != TokenKind.Ident)
                {
                    throw Error("Expecting name of a property", name, "PropertyExpected");
                }
                chainSafe |= safe;
                if (At("(") || At("!") && PeekTok().Is("("))
                {
                    if (At("!")) throw Error("method-call style does not support running within the caller's scope", Cur, "MalformedCapture");
                    var args = ParseArgs();
                    n = Calls.MakeMethodCall(n, name.Text, args, chainSafe, name, this);
                }
                else
                {
                    n = Calls.MakeProperty(n, name.Text, chainSafe, name);
                }
            }
            else if (t.Is("[") || t.Is("?["))
            {
                Next();
                var idx = ParseExpr();
                Expect("]");
                CheckIndexLiteral(n, idx, t);
                n = Indexing.MakeIndex(n, idx, t.Text == "?[", t);
                chainSafe |= t.Text == "?[";
            }
            else
            {
                return n;
            }
        }
    }

    private Node ParseAssignment(Node target)
    {
        var opTok = Next();
        CheckSymbol(opTok);
        if (!target.IsPlace)
        {
            throw Error("Left-hand side of an assignment must be a variable, a property or an index", PosTok(target, opTok), "AssignmentToInvalidLHS");
        }
        if (target.Kind == NodeKind.Local && target.IsConst)
        {
            throw Error($"Cannot assign to constant {target.Name}", PosTok(target, opTok), "AssignmentToConstant");
        }
        var value = ParseExpr();
        var v = value.V;
        var setter = Indexing.MakeSetter(target);
        int line = target.Line, col = target.Col;
        Eval e;
        if (opTok.Text == "=")
        {
            e = f =>
            {
                var val = v(f);
                if (f.R.SizeLimited) f.R.CheckSize(val, line, col);
                setter(f, val);
                return Dynamic.Unit;
            };
        }
        else
        {
            var op = opTok.Text[..^1];
            var get = target.E;
            // An operator's error points at the operator, as Rhai's does.
            int opLine = opTok.Line, opCol = opTok.Column;
            if (target.Kind == NodeKind.Local && op is "+" or "-")
            {
                var slot = target.Slot;
                e = f =>
                {
                    var rhs = v(f);
                    ref var s = ref f.L[slot];
                    if (s.Type == RhaiType.Int && rhs.Type == RhaiType.Int)
                    {
                        s = Ops.IntOp(op, s.Bits, rhs.Bits, opLine, opCol);
                        return Dynamic.Unit;
                    }
                    var cur = s.Type == RhaiType.Shared ? ((SharedCell)s.Obj!).Read(line, col) : s;
                    setter(f, Indexing.Compound(op, cur, rhs, f.R, opLine, opCol));
                    return Dynamic.Unit;
                };
            }
            else
            {
                // An array, a map or a string grows in place: a constant, or a part of a value a
                // built-in holds (Runtime.Hold), is refused before.
                var refuseConstant = Indexing.ConstantGuard(target);
                var container = target.Kind is NodeKind.Index or NodeKind.Property ? target.Base!.E : null;
                e = f =>
                {
                    refuseConstant?.Invoke(f);
                    if (container is not null && f.R.Holds) f.R.EnsureNotHeld(container(f), line, col);
                    var cur = get(f);
                    var rhs = v(f);
                    setter(f, Indexing.Compound(op, cur, rhs, f.R, opLine, opCol));
                    return Dynamic.Unit;
                };
            }
        }
        return new Node(NodeKind.Other, e, opTok.Line, opTok.Column) { EndsWithBlock = value.EndsWithBlock };
    }

    // After `?.` a () ends the whole chain: `x?.a.b` is () when x is ().
    private static bool ChainIsSafe(Node n)
    {
        for (var x = n; x is not null; x = x.Base)
        {
            if (x.Safe) return true;
        }
        return false;
    }

    private static void CheckIndexLiteral(Node target, Node idx, Token at)
    {
        if (idx.Kind != NodeKind.Literal) return;
        var what = idx.Value.Type switch
        {
            RhaiType.Char => "a character",
            RhaiType.Float => "a float",
            RhaiType.Unit => "()",
            RhaiType.Bool => "a boolean",
            RhaiType.Int => "a number",
            RhaiType.String => "a string",
            _ => null,
        };
        if (target.Kind == NodeKind.ArrayLiteral || target.Kind == NodeKind.Literal && target.Value.Type == RhaiType.String)
        {
            if (idx.Value.Type is not (RhaiType.Int or RhaiType.Range) && what is not null)
            {
                throw Error($"Array, string or bit-field expects integer index, not {what}", PosTok(idx, at), "MalformedIndexExpr");
            }
        }
        else if (target.Kind == NodeKind.MapLiteral && idx.Value.Type != RhaiType.String && what is not null)
        {
            throw Error($"Object map expects string index, not {what}", PosTok(idx, at), "MalformedIndexExpr");
        }
    }

    private static Token PosTok(Node n, Token fallback) => new(TokenKind.Punct, "", n.Line, n.Col > 0 ? n.Col : fallback.Column);

    // Items separated by commas (one may follow the last) up to `close`, which it consumes.
    private void ParseSeparated(string close, string what, Action parseItem)
    {
        while (!At(close))
        {
            parseItem();
            if (!Accept(","))
            {
                if (!At(close)) throw Error($"Expecting ',' to separate {what}", Cur, "MissingToken");
                break;
            }
        }
        Next();
    }

    private List<Node> ParseArgs()
    {
        Expect("(");
        var args = new List<Node>();
        ParseSeparated(")", "the arguments", () => args.Add(ParseExpr()));
        return args;
    }

    private Node ParsePrimary(bool statement)
    {
        var t = Cur;
        // As Rhai: a range without a start (`..3`, `[..]`) starts at 0; the `..` stays to be read as the operator.
        if (At("..") || At("..=")) return Literal(Dynamic.FromInt(0), t);
        switch (t.Kind)
        {
            case TokenKind.Int:
                Next();
                return Literal(Dynamic.FromInt(t.IntValue), t);
            case TokenKind.Float:
                Next();
                return Literal(Dynamic.FromFloat(t.FloatValue), t);
            case TokenKind.String:
                Next();
                return Literal(Dynamic.FromString(t.Text), t);
            case TokenKind.Char:
                Next();
                return Literal(Dynamic.FromChar((int)t.IntValue), t);
            case TokenKind.Interpolated:
                Next();
                return ParseInterpolated(t);
            case TokenKind.Eof:
                throw Error("Script is incomplete", t, "UnexpectedEOF");
            case TokenKind.Punct:
                return ParsePunctPrimary(t);
        }
        CheckSymbol(t);
        switch (t.Text)
        {
            case "true":
                Next();
                return Literal(Dynamic.True, t);
            case "false":
                Next();
                return Literal(Dynamic.False, t);
            case "if":
                if (!statement && !opt.AllowIfExpression) throw Unexpected();
                return ParseIf();
            case "switch":
                return ParseSwitch();
            case "while":
            case "loop":
            case "do":
            case "for":
                if (!opt.AllowLooping || expressionOnly || !statement && !opt.AllowLoopExpressions) throw Unexpected();
                return ParseLoop();
            case "this":
                Next();
                return new Node(NodeKind.This, f =>
                {
                    if (!f.HasThis) throw new RhaiException(RhaiErrorKind.VariableNotFound, "'this' not bound", t.Line, t.Column);
                    return f.This;
                }, t.Line, t.Column);
            case "global":
                if (PeekTok().Is("::"))
                {
                    Next();
                    Next();
                    var g = Next();
                    if (g.Kind != TokenKind.Ident) throw Error("Expecting name of a variable", g, "VariableExpected");
                    var gname = g.Text;
                    return new Node(NodeKind.Global, f => f.R.GetGlobal(gname, t.Line, t.Column), t.Line, t.Column) { Name = gname };
                }
                break;
            case "fn":
                throw Error("Function definitions can only appear at global level", t, "WrongFnDefinition");
            case "let" or "const" or "return" or "throw" or "break" or "continue" or "try" or "import" or "export" or "else" or "catch" or "in" or "as" or "private":
                throw Unexpected();
        }
        if (Reserved.Contains(t.Text))
        {
            throw Error($"'{t.Text}' is a reserved keyword", t, "Reserved");
        }
        Next();
        if (At("::")) return ParseNamespaced(t);
        if (At("(") || At("!") && PeekTok().Is("("))
        {
            var inCallerScope = Accept("!") || t.Text == "eval";
            var args = ParseArgs();
            return inCallerScope
                ? Calls.MakeCall(t.Text, args, t, this, VisibleVariables(), atTop: ctx.IsTop && ctx.InOutermostBlock)
                : Calls.MakeCall(t.Text, args, t, this);
        }
        return VariableRef(t);
    }

    private Node VariableRef(Token t)
    {
        var name = t.Text;
        var info = Lookup(ctx, name, capture: true);
        int line = t.Line, col = t.Column;
        if (info is not null)
        {
            var slot = info.Slot;
            return new Node(NodeKind.Local, f =>
            {
                var v = f.L[slot];
                return v.Type == RhaiType.Shared ? ((SharedCell)v.Obj!).Read(line, col) : v;
            }, line, col) { Slot = slot, Name = name, IsConst = info.IsConst };
        }
        if (opt.StrictVariables && !ast.HasFunction(name) && !scopeNames.Contains(name))
        {
            throw Error($"Undefined variable: {name}", t, "VariableUndefined");
        }
        if (ctx.IsFunction)
        {
            // A fn sees the script's variables only when called as `f!()`; otherwise only a function
            // name can make sense here.
            return new Node(NodeKind.Dynamic, f =>
            {
                if (f.Caller is { } caller) return caller.TryGet(name, out var v) ? v : f.R.GetDynamic(name, line, col);
                if (f.R.Ast.HasFunction(name)) return Dynamic.FromFnPtr(new FnPtr(name, null, null, []));
                throw new RhaiException(RhaiErrorKind.VariableNotFound, $"Variable not found: {name}", line, col);
            }, line, col) { Name = name, IsConst = true };
        }
        return new Node(NodeKind.Dynamic, f => f.Caller is { } c && c.TryGet(name, out var v) ? v : f.R.GetDynamic(name, line, col), line, col)
        {
            Name = name,
        };
    }

    // The variables visible here, innermost first, for a callee that runs in this scope.
    private VisibleNames VisibleVariables() => new(ctx.Visible, ctx.Captured);

    internal bool IsDeclared(string name) => Lookup(ctx, name, capture: false) is not null;

    internal bool InFunction => ctx.IsFunction;

    private Node ParseNamespaced(Token first)
    {
        var path = new List<string> { first.Text };
        while (Accept("::"))
        {
            var seg = Next();
            if (seg.Kind != TokenKind.Ident) throw Error("Expecting name of a variable", seg, "VariableExpected");
            path.Add(seg.Text);
        }
        if (opt.StrictVariables && !importAliases.Contains(first.Text) && !engine.HasStaticModule(first.Text))
        {
            throw Error($"Undefined module: {first.Text}", first, "ModuleUndefined");
        }
        var member = path[^1];
        var moduleName = path[0];
        int line = first.Line, col = first.Column;
        var eng = engine;
        if (At("("))
        {
            var args = ParseArgs();
            var argEvals = args.Select(a => a.V).ToArray();
            return new Node(NodeKind.Call, f =>
            {
                var module = eng.FindModule(moduleName, f.R, line, col);
                var values = new Dynamic[argEvals.Length];
                for (var i = 0; i < values.Length; i++) values[i] = argEvals[i](f);
                return Calls.CallModule(module, moduleName, member, values, f.R, line, col);
            }, line, col);
        }
        return new Node(NodeKind.Other, f =>
        {
            var module = eng.FindModule(moduleName, f.R, line, col);
            if (module.Variables.TryGetValue(member, out var v)) return v;
            throw new RhaiException(RhaiErrorKind.VariableNotFound, $"Variable not found: {moduleName}::{member}", line, col);
        }, line, col);
    }

    private Node ParsePunctPrimary(Token t)
    {
        CheckSymbol(t);
        switch (t.Text)
        {
            case "(":
                Next();
                if (At(")") && Cur.Line == t.Line && Cur.Column == t.Column + 1)
                {
                    Next();
                    return Literal(Dynamic.Unit, t);
                }
                var inner = ParseExpr();
                Expect(")", "Expecting ')'");
                // Parentheses make a value: `(y.a).z` reads a copy, and `(x) = 1` is not an assignment.
                return inner.Kind == NodeKind.Literal ? inner : new Node(NodeKind.Other, inner.IsPlace ? inner.V : inner.E, inner.Line, inner.Col);
            case "[":
                return ParseArray();
            case "#{":
                return ParseMap();
            case "{":
                if (!opt.AllowStatementExpression || expressionOnly) throw Unexpected();
                return ParseBlock();
            case "|":
            case "||":
                if (!opt.AllowAnonymousFunctions) throw Unexpected();
                return ParseClosure();
        }
        throw Unexpected();
    }

    private Node ParseArray()
    {
        var open = Next();
        var items = new List<Node>();
        ParseSeparated("]", "the items of this array literal", () => items.Add(ParseExpr()));
        var evals = items.Select(i => i.V).ToArray();
        int line = open.Line, col = open.Column;
        return new Node(NodeKind.ArrayLiteral, f =>
        {
            f.R.Tick(line, col);
            var list = new List<Dynamic>(evals.Length);
            foreach (var e in evals)
            {
                f.R.Tick(line, col);
                list.Add(e(f));
            }
            var v = Dynamic.FromArray(list);
            if (f.R.SizeLimited) f.R.CheckSize(v, line, col);
            return v;
        }, line, col);
    }

    private Node ParseMap()
    {
        var open = Next();
        var keys = new List<string>();
        var evals = new List<Eval>();
        ParseSeparated("}", "the items of this object map literal", () =>
        {
            var k = Next();
            string key;
            if (k.Kind == TokenKind.Ident || k.Kind == TokenKind.String)
            {
                key = k.Text;
            }
            else if (k.Kind == TokenKind.Interpolated && k.Parts!.Count == 1)
            {
                key = (string)k.Parts[0];
            }
            else
            {
                throw Error("Expecting name of a property", k, "PropertyExpected");
            }
            if (keys.Contains(key)) throw Error($"Duplicated property '{key}' for object map literal", k, "DuplicatedProperty");
            Expect(":", "Expecting ':' after the property name");
            keys.Add(key);
            evals.Add(ParseExpr().V);
        });
        var keyArr = keys.ToArray();
        var evalArr = evals.ToArray();
        int line = open.Line, col = open.Column;
        return new Node(NodeKind.MapLiteral, f =>
        {
            f.R.Tick(line, col);
            var map = new RhaiMap();
            for (var i = 0; i < keyArr.Length; i++)
            {
                f.R.Tick(line, col);
                map[keyArr[i]] = evalArr[i](f);
            }
            var v = Dynamic.FromMap(map);
            if (f.R.SizeLimited) f.R.CheckSize(v, line, col);
            return v;
        }, line, col);
    }

    private Node ParseInterpolated(Token t)
    {
        var parts = new List<Eval>();
        foreach (var part in t.Parts!)
        {
            if (part is string s)
            {
                if (s.Length > 0)
                {
                    var lit = Dynamic.FromString(s);
                    parts.Add(_ => lit);
                }
            }
            else
            {
                var inner = (List<Token>)part;
                parts.Add(ParseEmbedded(inner));
            }
        }
        int line = t.Line, col = t.Column;
        if (parts.Count == 1 && t.Parts.Count == 1) return new Node(NodeKind.Literal, parts[0], line, col) { Value = Dynamic.FromString((string)t.Parts[0]) };
        var arr = parts.ToArray();
        return new Node(NodeKind.Other, f =>
        {
            var sb = new System.Text.StringBuilder();
            foreach (var e in arr)
            {
                // Formatting a part is as long as the part (a long string, a large array).
                f.R.StopIfCancelled(line, col);
                sb.Append(e(f).ToString());
            }
            var v = Dynamic.FromString(sb.ToString());
            if (f.R.SizeLimited) f.R.CheckSize(v, line, col);
            return v;
        }, line, col);
    }

    // The statements inside `${ ... }`, parsed in the current scope.
    private Eval ParseEmbedded(List<Token> inner)
    {
        var savedToks = toks;
        var savedP = p;
        toks = inner;
        p = 0;
        PushBlock();
        var stmts = ParseStatementsToEnd(topLevel: false);
        PopBlock();
        toks = savedToks;
        p = savedP;
        return Sequence(stmts, inner[0].Line, inner[0].Column);
    }

    private Node ParseClosure()
    {
        var open = Next();
        var saved = ctx;
        ctx = new FnCtx(saved, isClosure: true, isFunction: false);
        var names = new List<string>();
        if (open.Text == "|")
        {
            while (!At("|"))
            {
                var param = Next();
                if (param.Kind != TokenKind.Ident) throw Error("Expecting a parameter name", param, "FnMissingParams");
                RefuseReserved(param);
                names.Add(param.Text);
                Declare(param.Text, false, param);
                if (!Accept(",")) break;
            }
            Expect("|");
        }
        // A block body ends the closure (`|x| { ... }.curry(1)` curries the closure); an
        // expression body may be an assignment (`|| this += 1`).
        var body = At("{") ? ParseBlock() : ParseExpr(statement: true);
        if (Cur.Kind == TokenKind.Punct && IsAssignOp(Cur.Text)) body = ParseAssignment(body);
        var fn = new ScriptFunction
        {
            Name = $"anon${Math.Abs(HashCode.Combine(open.Line, open.Column, ast.Source.Length)):x16}",
            Arity = names.Count,
            Params = [.. ctx.Captures.Select(c => ctx.Captured.Values.First(v => v.Slot == c.Inner).Name), .. names],
            Line = open.Line,
            Column = open.Column,
            Body = body.V,
            SlotCount = ctx.Slots,
            Captures = [.. ctx.Captures],
        };
        ast.Closures.Add(fn);
        ctx = saved;
        var captures = fn.Captures;
        return new Node(NodeKind.Other, f =>
        {
            var cells = new SharedCell[captures.Length];
            for (var i = 0; i < captures.Length; i++)
            {
                ref var slot = ref f.L[captures[i].Outer];
                if (slot.Type != RhaiType.Shared) slot = Dynamic.FromShared(new SharedCell(slot));
                cells[i] = (SharedCell)slot.Obj!;
            }
            return Dynamic.FromFnPtr(new FnPtr(fn.Name, fn, cells, []));
        }, open.Line, open.Column) { EndsWithBlock = body.EndsWithBlock };
    }

    private Node ParseCondition()
    {
        var cond = ParseExpr();
        if (cond.Kind == NodeKind.Literal && cond.Value.Type != RhaiType.Bool)
        {
            throw Error($"Expecting a boolean expression, not {Ops.Describe(cond.Value)}", PosTok(cond, Cur), "MismatchedType");
        }
        return cond;
    }

    private Node ParseIf()
    {
        var kw = Next();
        var cond = ParseCondition().E;
        var then = ParseBlock().E;
        Eval? els = null;
        if (AtWord("else"))
        {
            Next();
            els = AtWord("if") ? ParseIf().E : ParseBlock().E;
        }
        int line = kw.Line, col = kw.Column;
        Eval e = els is null
            ? f => Ops.Truth(cond(f), line, col) ? then(f) : Dynamic.Unit
            : f => Ops.Truth(cond(f), line, col) ? then(f) : els(f);
        return new Node(NodeKind.Other, e, line, col) { EndsWithBlock = true };
    }
}
