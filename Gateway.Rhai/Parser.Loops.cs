using System.Runtime.CompilerServices;

namespace Gateway.Rhai;

internal sealed partial class Parser
{
    private Node ParseLoop()
    {
        var kw = Cur;
        return kw.Text switch
        {
            "while" => ParseWhile(),
            "loop" => ParseLoopForever(),
            "do" => ParseDo(),
            _ => ParseFor(),
        };
    }

    // Runs one iteration's signals: true when the loop must stop (break/return), with its value.
    private static bool LoopExit(Frame f, out Dynamic value)
    {
        switch (f.Sig)
        {
            case Frame.SigNone:
                value = default;
                return false;
            case Frame.SigContinue:
                f.Sig = Frame.SigNone;
                value = default;
                return false;
            case Frame.SigBreak:
                f.Sig = Frame.SigNone;
                value = f.SigValue;
                return true;
            default:
                value = f.SigValue;
                return true;
        }
    }

    // The block of a loop, inside which `break` and `continue` are allowed.
    private Eval ParseLoopBody()
    {
        ctx.LoopDepth++;
        var body = ParseBlock().E;
        ctx.LoopDepth--;
        return body;
    }

    // One pass of a `loop` or `do` body: true when the loop ends (`break` or `return`), with its value.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool BodyPass(Frame f, Eval body, int line, int col, out Dynamic value)
    {
        f.R.Tick(line, col);
        body(f);
        value = default;
        return f.Sig != Frame.SigNone && LoopExit(f, out value);
    }

    private Node ParseWhile()
    {
        var kw = Next();
        var cond = ParseCondition().E;
        var body = ParseLoopBody();
        int line = kw.Line, col = kw.Column;
        return new Node(NodeKind.Other, f =>
        {
            var r = f.R;
            while (true)
            {
                r.Tick(line, col);
                if (!Ops.Truth(cond(f), line, col)) return Dynamic.Unit;
                body(f);
                if (f.Sig != Frame.SigNone && LoopExit(f, out var v)) return v;
            }
        }, line, col) { EndsWithBlock = true };
    }

    private Node ParseLoopForever()
    {
        var kw = Next();
        var body = ParseLoopBody();
        int line = kw.Line, col = kw.Column;
        return new Node(NodeKind.Other, f =>
        {
            while (true)
            {
                if (BodyPass(f, body, line, col, out var v)) return v;
            }
        }, line, col) { EndsWithBlock = true };
    }

    private Node ParseDo()
    {
        var kw = Next();
        var body = ParseLoopBody();
        var until = AtWord("until");
        if (!until && !AtWord("while")) throw Error("Expecting 'while' or 'until' after 'do' block", Cur, "MissingToken");
        Next();
        var cond = ParseCondition().E;
        int line = kw.Line, col = kw.Column;
        return new Node(NodeKind.Other, f =>
        {
            while (true)
            {
                if (BodyPass(f, body, line, col, out var v)) return v;
                if (Ops.Truth(cond(f), line, col) == until) return Dynamic.Unit;
            }
        }, line, col);
    }

    private Node ParseFor()
    {
        var kw = Next();
        string name;
        string? counter = null;
        Token nameTok;
        if (Accept("("))
        {
            nameTok = Next();
            name = nameTok.Text;
            Expect(",");
            var counterTok = Next();
            if (counterTok.Kind != TokenKind.Ident) throw Error("Expecting name of a variable", counterTok, "VariableExpected");
            RefuseReserved(counterTok);
            counter = counterTok.Text;
            Expect(")");
        }
        else
        {
            nameTok = Next();
            name = nameTok.Text;
        }
        if (nameTok.Kind != TokenKind.Ident) throw Error("Expecting name of a variable", nameTok, "VariableExpected");
        RefuseReserved(nameTok);
        if (!AtWord("in")) throw Error("Expecting 'in' after the iteration variable", Cur, "MissingToken");
        Next();
        var source = ParseExpr();
        PushBlock();
        var slot = Declare(name, false, nameTok).Slot;
        var counterSlot = counter is null ? -1 : Declare(counter, false, nameTok).Slot;
        var body = ParseLoopBody();
        PopBlock();
        int line = kw.Line, col = kw.Column;
        // Ranges iterate without materialising; the iterated array is a copy (value semantics).
        var src = source.E;
        return new Node(NodeKind.Other, f =>
        {
            var it = src(f);
            f.L[slot] = Dynamic.Unit;
            if (counterSlot >= 0) f.L[counterSlot] = Dynamic.Unit;
            if (it.Type == RhaiType.Range)
            {
                var range = it.AsRange;
                long index = 0;
                if (range.Step == 1)
                {
                    var end = range.ExclusiveEnd;
                    for (var x = range.Start; x < end; x++)
                    {
                        if (ForPass(f, body, slot, Dynamic.FromInt(x), counterSlot, ref index, line, col, out var v)) return v;
                    }
                    // An inclusive range to INT's maximum ends with it.
                    if (range.Inclusive && range.End == long.MaxValue && range.Start <= range.End
                        && ForPass(f, body, slot, Dynamic.FromInt(long.MaxValue), counterSlot, ref index, line, col, out var last)) return last;
                    return Dynamic.Unit;
                }
                for (var x = range.Start; range.Step > 0 ? x < range.End : x > range.End;)
                {
                    // As Rhai's StepRange: a value whose next step would overflow is not given.
                    if (range.Step > 0 ? x > long.MaxValue - range.Step : x < long.MinValue - range.Step) break;
                    if (ForPass(f, body, slot, Dynamic.FromInt(x), counterSlot, ref index, line, col, out var v)) return v;
                    x += range.Step;
                }
                return Dynamic.Unit;
            }
            var items = Ops.Iterate(it, line, col);
            long i = 0;
            foreach (var item in items)
            {
                var value = item.Type is RhaiType.Array or RhaiType.Map or RhaiType.Blob ? item.Clone() : item;
                if (ForPass(f, body, slot, value, counterSlot, ref i, line, col, out var v)) return v;
            }
            return Dynamic.Unit;
        }, line, col) { EndsWithBlock = true };
    }

    // One pass of a `for` body with the variable (and the counter) set: true when the loop ends,
    // with its value (what a `return` carries; unit after a `break`).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ForPass(Frame f, Eval body, int slot, Dynamic value, int counterSlot, ref long index, int line, int col, out Dynamic result)
    {
        f.R.Tick(line, col);
        Set(f, slot, value);
        if (counterSlot >= 0) Set(f, counterSlot, Dynamic.FromInt(index++));
        body(f);
        if (f.Sig != Frame.SigNone && LoopExit(f, out var v))
        {
            result = f.Sig == Frame.SigReturn ? v : Dynamic.Unit;
            return true;
        }
        result = default;
        return false;
    }

    // The loop variable is one variable across iterations: a closure that captured it sees later values.
    private static void Set(Frame f, int slot, Dynamic v)
    {
        ref var s = ref f.L[slot];
        if (s.Type == RhaiType.Shared) ((SharedCell)s.Obj!).Value = v;
        else s = v;
    }

    private Node ParseSwitch()
    {
        var kw = Next();
        var subject = ParseExpr().E;
        Expect("{", "Expecting '{' after switch expression");
        var exact = new List<(Dynamic Value, Eval? Guard, Eval Body)>();
        var ranges = new List<(RhaiRange Range, Eval? Guard, Eval Body)>();
        Eval? fallback = null;
        while (!At("}"))
        {
            var caseTok = Cur;
            if (fallback is not null) throw Error("Default switch case must be the last", defaultTok!, "WrongSwitchDefaultCase");
            var patterns = new List<Node>();
            var isDefault = false;
            if (Cur.IsWord("_"))
            {
                Next();
                isDefault = true;
                defaultTok = caseTok;
            }
            else
            {
                do
                {
                    // `|` separates alternatives here, so patterns bind tighter than bitwise or.
                    patterns.Add(ParseBinary(31));
                }
                while (Accept("|"));
            }
            Eval? guard = null;
            if (AtWord("if"))
            {
                Next();
                guard = ParseCondition().E;
            }
            Expect("=>", "Expecting '=>' after switch case");
            var body = expressionOnly ? ParseExpr() : ParseStatement(topLevel: false) ?? throw Unexpected();
            if (isDefault)
            {
                fallback = body.E;
            }
            else
            {
                foreach (var pattern in patterns)
                {
                    var value = Ops.ConstantValue(pattern) ?? throw Error("Expecting a constant", PosTok(pattern, caseTok), "ExprExpected");
                    if (value.Type == RhaiType.Range) ranges.Add((value.AsRange, guard, body.E));
                    else exact.Add((value, guard, body.E));
                }
            }
            if (!Accept(","))
            {
                if (!At("}") && (expressionOnly || !Prev.Is("}"))) throw Error("Expecting ',' to separate switch cases", Cur, "MissingToken");
            }
        }
        Next();
        var exactArr = exact.ToArray();
        var rangeArr = ranges.ToArray();
        int line = kw.Line, col = kw.Column;
        return new Node(NodeKind.Other, f =>
        {
            var v = subject(f);
            foreach (var (value, guard, body) in exactArr)
            {
                if (Ops.StrictEquals(v, value) && (guard is null || Ops.Truth(guard(f), line, col))) return body(f);
            }
            if (v.Type == RhaiType.Range)
            {
                foreach (var (range, guard, body) in rangeArr)
                {
                    if (range == v.AsRange && (guard is null || Ops.Truth(guard(f), line, col))) return body(f);
                }
            }
            if (v.Type == RhaiType.Int)
            {
                foreach (var (range, guard, body) in rangeArr)
                {
                    if (range.Contains(v.AsInt) && (guard is null || Ops.Truth(guard(f), line, col))) return body(f);
                }
            }
            return fallback is null ? Dynamic.Unit : fallback(f);
        }, line, col) { EndsWithBlock = true };
    }

    private Token? defaultTok;
}
