using System.Globalization;

namespace Gateway.Rhai;

/// <summary>Operators: code generation with INT fast paths, and the general rules for every other type pair.</summary>
internal static class Ops
{
    public static string Describe(Dynamic v) => v.Type switch
    {
        RhaiType.Int or RhaiType.Float => "a number",
        RhaiType.String => "a string",
        RhaiType.Char => "a character",
        RhaiType.Unit => "()",
        RhaiType.Array => "an array",
        RhaiType.Map => "an object map",
        _ => v.TypeName,
    };

    public static bool Truth(Dynamic v, int line, int col)
    {
        if (v.Type == RhaiType.Bool) return v.Bits != 0;
        throw new RhaiException(RhaiErrorKind.MismatchDataType, $"Data type incorrect: {v.TypeName} (expecting bool)", line, col);
    }

    public static RhaiException NotFound(string name, int line, int col, params Dynamic[] args) =>
        new(RhaiErrorKind.FunctionNotFound,
            $"Function not found: {name} ({string.Join(", ", args.Select(SignatureName))})", line, col);

    /// <summary>An argument's type in a call's signature, as Rhai's gen_fn_call_signature writes it: a string as any of its three Rust forms.</summary>
    public static string SignatureName(Dynamic a) => a.Type == RhaiType.String ? StringSignature : a.TypeName;

    public const string StringSignature = "&str | ImmutableString | String";

    public static RhaiException Arithmetic(string message, int line, int col) =>
        new(RhaiErrorKind.Arithmetic, message, line, col);

    // Constants usable as switch cases: literals, negative literals, ranges of literals, literal arrays/maps.
    public static Dynamic? ConstantValue(Node n)
    {
        if (n.Kind == NodeKind.Literal) return n.Value;
        if (n.Kind is NodeKind.ArrayLiteral or NodeKind.MapLiteral || n.Name == "range")
        {
            try
            {
                var frame = new Frame([], new Runtime(new RhaiEngine(), new RhaiAst(""), new RhaiScope(), CancellationToken.None));
                return n.E(frame);
            }
            catch (RhaiException)
            {
                return null;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ code generation
    public static Node MakeUnary(string op, Node operand, Token t)
    {
        var e = operand.E;
        int line = t.Line, col = t.Column;
        Eval eval = op switch
        {
            "-" => f =>
            {
                var v = e(f);
                switch (v.Type)
                {
                    case RhaiType.Int:
                        if (v.AsInt == long.MinValue) throw Arithmetic($"Negation overflow: -{v.AsInt}", line, col);
                        return Dynamic.FromInt(-v.AsInt);
                    case RhaiType.Float:
                        return Dynamic.FromFloat(-v.AsFloat);
                    default:
                        throw NotFound("-", line, col, v);
                }
            },
            "+" => f =>
            {
                var v = e(f);
                return v.Type is RhaiType.Int or RhaiType.Float ? v : throw NotFound("+", line, col, v);
            },
            _ => f =>
            {
                var v = e(f);
                return v.Type == RhaiType.Bool ? Dynamic.FromBool(v.Bits == 0) : throw NotFound("!", line, col, v);
            },
        };
        if (operand.Kind == NodeKind.Literal && operand.Value.Type is RhaiType.Bool or RhaiType.Int or RhaiType.Float)
        {
            var folded = eval(null!);
            return new Node(NodeKind.Literal, _ => folded, line, col) { Value = folded };
        }
        return new Node(NodeKind.Other, eval, line, col);
    }

    public static Node MakeBinary(string op, Node a, Node b, Token t)
    {
        int line = t.Line, col = t.Column;
        var ea = a.E;
        var eb = b.E;
        if (op is "&&" or "||")
        {
            foreach (var side in new[] { a, b })
            {
                if (side.Kind == NodeKind.Literal && side.Value.Type != RhaiType.Bool)
                {
                    throw new RhaiParseException("MismatchedType", $"Syntax error: Expecting a boolean expression, not {Describe(side.Value)}", side.Line, side.Col);
                }
            }
        }
        Eval eval = op switch
        {
            "+" => f =>
            {
                var x = ea(f);
                var y = eb(f);
                if (x.Type == RhaiType.Int && y.Type == RhaiType.Int)
                {
                    var r = unchecked(x.Bits + y.Bits);
                    if (((x.Bits ^ r) & (y.Bits ^ r)) < 0) throw Arithmetic($"Addition overflow: {x.Bits} + {y.Bits}", line, col);
                    return Dynamic.FromInt(r);
                }
                return Binary("+", x, y, f.R, line, col);
            },
            "-" => f =>
            {
                var x = ea(f);
                var y = eb(f);
                if (x.Type == RhaiType.Int && y.Type == RhaiType.Int)
                {
                    var r = unchecked(x.Bits - y.Bits);
                    if (((x.Bits ^ y.Bits) & (x.Bits ^ r)) < 0) throw Arithmetic($"Subtraction overflow: {x.Bits} - {y.Bits}", line, col);
                    return Dynamic.FromInt(r);
                }
                return Binary("-", x, y, f.R, line, col);
            },
            "<" => f =>
            {
                var x = ea(f);
                var y = eb(f);
                if (x.Type == RhaiType.Int && y.Type == RhaiType.Int) return Dynamic.FromBool(x.Bits < y.Bits);
                return Binary("<", x, y, f.R, line, col);
            },
            ">" => f =>
            {
                var x = ea(f);
                var y = eb(f);
                if (x.Type == RhaiType.Int && y.Type == RhaiType.Int) return Dynamic.FromBool(x.Bits > y.Bits);
                return Binary(">", x, y, f.R, line, col);
            },
            "<=" => f =>
            {
                var x = ea(f);
                var y = eb(f);
                if (x.Type == RhaiType.Int && y.Type == RhaiType.Int) return Dynamic.FromBool(x.Bits <= y.Bits);
                return Binary("<=", x, y, f.R, line, col);
            },
            ">=" => f =>
            {
                var x = ea(f);
                var y = eb(f);
                if (x.Type == RhaiType.Int && y.Type == RhaiType.Int) return Dynamic.FromBool(x.Bits >= y.Bits);
                return Binary(">=", x, y, f.R, line, col);
            },
            "==" => f =>
            {
                var x = ea(f);
                var y = eb(f);
                if (x.Type == RhaiType.Int && y.Type == RhaiType.Int) return Dynamic.FromBool(x.Bits == y.Bits);
                if (x.Type is RhaiType.FnPtr or RhaiType.Range && y.Type == x.Type) return Binary("==", x, y, f.R, line, col);
                f.R.StopIfCancelled(line, col);
                return Dynamic.FromBool(Equal(x, y));
            },
            "!=" => f =>
            {
                var x = ea(f);
                var y = eb(f);
                if (x.Type == RhaiType.Int && y.Type == RhaiType.Int) return Dynamic.FromBool(x.Bits != y.Bits);
                // Numbers by Rhai's own != (not the negation of its ==: NaN != NaN is false there too).
                if (x.Type is RhaiType.Int or RhaiType.Float && y.Type is RhaiType.Int or RhaiType.Float) return Binary("!=", x, y, f.R, line, col);
                if (x.Type == RhaiType.FnPtr && y.Type == RhaiType.FnPtr) return Binary("!=", x, y, f.R, line, col);
                f.R.StopIfCancelled(line, col);
                return Dynamic.FromBool(!Equal(x, y));
            },
            "&&" => f => Dynamic.FromBool(Truth(ea(f), a.Line, a.Col) && Truth(eb(f), b.Line, b.Col)),
            "||" => f => Dynamic.FromBool(Truth(ea(f), a.Line, a.Col) || Truth(eb(f), b.Line, b.Col)),
            "??" => f =>
            {
                var x = ea(f);
                return x.IsUnit ? eb(f) : x;
            },
            "in" => f => Dynamic.FromBool(Contains(eb(f), ea(f), f.R, line, col)),
            "!in" => f => Dynamic.FromBool(!Contains(eb(f), ea(f), f.R, line, col)),
            _ => f => Binary(op, ea(f), eb(f), f.R, line, col),
        };
        if (a.Kind == NodeKind.Literal && b.Kind == NodeKind.Literal && IsFoldable(a.Value) && IsFoldable(b.Value))
        {
            try
            {
                var folded = eval(new Frame([], FoldRuntime.Value));
                return new Node(NodeKind.Literal, _ => folded, line, col) { Value = folded };
            }
            catch (RhaiException)
            {
                // Left for run time, where the error has its proper place.
            }
        }
        return new Node(NodeKind.Other, eval, line, col) { Name = op == ".." || op == "..=" ? "range" : null };
    }

    private static bool IsFoldable(Dynamic v) => v.Type is RhaiType.Int or RhaiType.Bool or RhaiType.Float or RhaiType.Char;

    private static readonly Lazy<Runtime> FoldRuntime =
        new(() => new Runtime(new RhaiEngine(), new RhaiAst(""), new RhaiScope(), CancellationToken.None));

    // ------------------------------------------------------------------ general rules
    public static Dynamic Binary(string op, Dynamic x, Dynamic y, Runtime r, int line, int col)
    {
        var tx = x.Type;
        var ty = y.Type;
        if (tx == RhaiType.Int && ty == RhaiType.Int) return IntOp(op, x.Bits, y.Bits, line, col);
        if (tx is RhaiType.Int or RhaiType.Float && ty is RhaiType.Int or RhaiType.Float)
        {
            var a = tx == RhaiType.Int ? x.Bits : x.AsFloat;
            var b = ty == RhaiType.Int ? y.Bits : y.AsFloat;
            return FloatOp(op, a, b, x, y, line, col);
        }
        // Strings, arrays, maps and blobs: an operator on them can take as long as they are long.
        r.StopIfCancelled(line, col);
        switch (op)
        {
            // As Rhai's builtin.rs: function pointers have no ==, and an exclusive and an inclusive
            // range only a != (its == looks for the wrong operator, so it is not found).
            case "==" or "!=" when tx == RhaiType.FnPtr && ty == RhaiType.FnPtr:
                throw NotFound(op, line, col, x, y);
            case "==" when tx == RhaiType.Range && ty == RhaiType.Range && x.AsRange.Inclusive != y.AsRange.Inclusive:
                throw NotFound(op, line, col, x, y);
            case "==": return Dynamic.FromBool(Equal(x, y));
            case "!=": return Dynamic.FromBool(!Equal(x, y));
            case "<" or ">" or "<=" or ">=":
                var c = Compare(x, y);
                if (c is null)
                {
                    // Two units order as nothing: false, as for values of different types.
                    if (tx == ty && tx is not (RhaiType.String or RhaiType.Char or RhaiType.Bool or RhaiType.Unit)) throw NotFound(op, line, col, x, y);
                    return Dynamic.False;
                }
                return Dynamic.FromBool(op switch { "<" => c < 0, ">" => c > 0, "<=" => c <= 0, _ => c >= 0 });
            case "+":
                Dynamic result;
                if (tx == RhaiType.String || ty == RhaiType.String)
                {
                    if (tx == RhaiType.String && ty == RhaiType.Unit) return x;
                    if (ty == RhaiType.String && tx == RhaiType.Unit) return y;
                    result = Dynamic.FromString(Strings.JoinedText(x) + Strings.JoinedText(y));
                }
                else if (tx == RhaiType.Char && ty == RhaiType.Char)
                {
                    result = Dynamic.FromString(x.ToString() + y.ToString());
                }
                else if (tx == RhaiType.Array && ty == RhaiType.Array)
                {
                    var list = new List<Dynamic>(x.AsArray.Count + y.AsArray.Count);
                    foreach (var item in x.AsArray) list.Add(item.Clone());
                    foreach (var item in y.AsArray) list.Add(item.Clone());
                    result = Dynamic.FromArray(list);
                }
                else if (tx == RhaiType.Map && ty == RhaiType.Map)
                {
                    var map = x.AsMap.DeepClone();
                    foreach (var (k, v) in y.AsMap) map[k] = v.Clone();
                    result = Dynamic.FromMap(map);
                }
                else if (tx == RhaiType.Blob && ty == RhaiType.Blob)
                {
                    result = Dynamic.FromBlob([.. x.AsBlob, .. y.AsBlob]);
                }
                else if (tx == RhaiType.Blob && ty == RhaiType.Char)
                {
                    result = Dynamic.FromBlob([.. x.AsBlob, .. System.Text.Encoding.UTF8.GetBytes(y.ToString())]);
                }
                else if (tx == RhaiType.Timestamp && ty is RhaiType.Int or RhaiType.Float)
                {
                    return Shift(x, y, +1, r, line, col);
                }
                else
                {
                    throw NotFound(op, line, col, x, y);
                }
                r.CheckSize(result, line, col);
                return result;
            case "-":
                if (tx == RhaiType.String && ty is RhaiType.String or RhaiType.Char)
                {
                    // As Rhai: an empty string less a non-empty one is that one (Rhai's own quirk).
                    if (ty == RhaiType.String && x.AsString.Length == 0 && y.AsString.Length > 0) return y;
                    return Dynamic.FromString(Strings.Replace(x.AsString, y.ToString(), ""));
                }
                if (tx == RhaiType.Timestamp && ty == RhaiType.Timestamp)
                {
                    return Dynamic.FromFloat((double)(x.Bits - y.Bits) / r.Engine.Options.Clock.TimestampFrequency);
                }
                if (tx == RhaiType.Timestamp && ty is RhaiType.Int or RhaiType.Float)
                {
                    return Shift(x, y, -1, r, line, col);
                }
                throw NotFound(op, line, col, x, y);
            case "&" when tx == RhaiType.Bool && ty == RhaiType.Bool: return Dynamic.FromBool(x.AsBool & y.AsBool);
            case "|" when tx == RhaiType.Bool && ty == RhaiType.Bool: return Dynamic.FromBool(x.AsBool | y.AsBool);
            case "^" when tx == RhaiType.Bool && ty == RhaiType.Bool: return Dynamic.FromBool(x.AsBool ^ y.AsBool);
            case ".." or "..=" when tx == RhaiType.Int && ty is RhaiType.Int or RhaiType.Unit:
                // As Rhai: an open end is INT's maximum (`a..`), which the range then shows as open.
                return Dynamic.FromRange(x.Bits, ty == RhaiType.Unit ? long.MaxValue : y.Bits, op == "..=");
        }
        throw NotFound(op, line, col, x, y);
    }

    /// <summary>
    /// A timestamp moved by a number of seconds (<paramref name="sign"/> +1 or -1), in the ticks of
    /// the engine's clock. A move past what a timestamp can hold is an arithmetic error, as in Rhai,
    /// not a time that wrapped round (this engine's range, ±2^63 ticks, is the narrower).
    /// </summary>
    private static Dynamic Shift(Dynamic timestamp, Dynamic seconds, int sign, Runtime r, int line, int col)
    {
        // As Rhai: whole seconds for an int; a float's seconds cut to whole milliseconds (toward 0).
        var frequency = (double)r.Engine.Options.Clock.TimestampFrequency;
        var ticks = seconds.Type == RhaiType.Int
            ? sign * (double)seconds.Bits * frequency
            : sign * Math.Truncate(seconds.AsFloat * 1000) * (frequency / 1000);
        // NaN seconds move nothing, as in Rhai (its cast of NaN to a duration is 0).
        if (double.IsNaN(ticks)) return timestamp;
        // Within ±2^63 the ticks fit a long; the sum is checked again in whole ticks.
        if (Math.Abs(ticks) < 9.223372036854775807E18)
        {
            var delta = (long)ticks;
            var moved = timestamp.Bits + delta;
            if (((timestamp.Bits ^ moved) & (delta ^ moved)) >= 0) return Dynamic.FromTimestamp(moved);
        }
        throw Arithmetic(ShiftOverflow(seconds, sign), line, col);
    }

    // Rhai's words for a move too far: an int's seconds as given with the operator's direction;
    // a float's by the direction it moves in, and beyond INT's range as an integer overflow.
    private static string ShiftOverflow(Dynamic seconds, int sign)
    {
        if (seconds.Type == RhaiType.Int)
            return $"Timestamp overflow when {(sign > 0 ? "adding" : "subtracting")} {seconds.AsInt} second(s)";
        var moved = sign * seconds.AsFloat;
        var adding = moved >= 0;
        var amount = Formatter.RustDisplay(Math.Abs(moved));
        return Math.Abs(moved) > long.MaxValue
            ? $"Integer overflow for timestamp {(adding ? "add" : "subtract")}: {amount}"
            : $"Timestamp overflow when {(adding ? "adding" : "subtracting")} {amount} second(s)";
    }

    public static Dynamic IntOp(string op, long a, long b, int line, int col)
    {
        switch (op)
        {
            case "+":
                var sum = unchecked(a + b);
                if (((a ^ sum) & (b ^ sum)) < 0) throw Arithmetic($"Addition overflow: {a} + {b}", line, col);
                return Dynamic.FromInt(sum);
            case "-":
                var diff = unchecked(a - b);
                if (((a ^ b) & (a ^ diff)) < 0) throw Arithmetic($"Subtraction overflow: {a} - {b}", line, col);
                return Dynamic.FromInt(diff);
            case "*":
                long product;
                try
                {
                    product = checked(a * b);
                }
                catch (OverflowException)
                {
                    throw Arithmetic($"Multiplication overflow: {a} * {b}", line, col);
                }
                return Dynamic.FromInt(product);
            case "/":
                if (b == 0) throw Arithmetic($"Division by zero: {a} / {b}", line, col);
                if (a == long.MinValue && b == -1) throw Arithmetic($"Division overflow: {a} / {b}", line, col);
                return Dynamic.FromInt(a / b);
            case "%":
                if (b == 0 || a == long.MinValue && b == -1) throw Arithmetic($"Modulo division by zero or overflow: {a} % {b}", line, col);
                return Dynamic.FromInt(a % b);
            case "**":
                if (b > uint.MaxValue) throw Arithmetic($"Exponential overflow: {a} ** {b}", line, col); // as Rhai, even for 1
                if (b < 0) throw Arithmetic($"Integer raised to a negative power: {a} ** {b}", line, col);
                long result = 1, bas = a;
                var exp = b;
                try
                {
                    while (exp > 0)
                    {
                        if ((exp & 1) != 0) result = checked(result * bas);
                        exp >>= 1;
                        if (exp > 0) bas = checked(bas * bas);
                    }
                }
                catch (OverflowException)
                {
                    throw Arithmetic($"Exponential overflow: {a} ** {b}", line, col);
                }
                return Dynamic.FromInt(result);
            case "<<": return Dynamic.FromInt(ShiftLeft(a, b));
            case ">>": return Dynamic.FromInt(ShiftRight(a, b));
            case "&": return Dynamic.FromInt(a & b);
            case "|": return Dynamic.FromInt(a | b);
            case "^": return Dynamic.FromInt(a ^ b);
            case "==": return Dynamic.FromBool(a == b);
            case "!=": return Dynamic.FromBool(a != b);
            case "<": return Dynamic.FromBool(a < b);
            case ">": return Dynamic.FromBool(a > b);
            case "<=": return Dynamic.FromBool(a <= b);
            case ">=": return Dynamic.FromBool(a >= b);
            case "..": return Dynamic.FromRange(a, b, false);
            case "..=": return Dynamic.FromRange(a, b, true);
        }
        throw NotFound(op, line, col, Dynamic.FromInt(a), Dynamic.FromInt(b));
    }

    private static long ShiftLeft(long a, long b) => b < 0 ? ShiftRight(a, b == long.MinValue ? long.MaxValue : -b) : b >= 64 ? 0 : a << (int)b;

    private static long ShiftRight(long a, long b) => b < 0 ? ShiftLeft(a, b == long.MinValue ? long.MaxValue : -b) : b >= 64 ? (a < 0 ? -1 : 0) : a >> (int)b;

    private static Dynamic FloatOp(string op, double a, double b, Dynamic x, Dynamic y, int line, int col) => op switch
    {
        "+" => Dynamic.FromFloat(a + b),
        "-" => Dynamic.FromFloat(a - b),
        "*" => Dynamic.FromFloat(a * b),
        "/" => Dynamic.FromFloat(a / b),
        "%" => Dynamic.FromFloat(a % b),
        "**" => Dynamic.FromFloat(Math.Pow(a, b)),
        "==" => Dynamic.FromBool(FloatEq(a, b)),
        "!=" => Dynamic.FromBool(FloatScale(a, b) is var m && m != 0 && Math.Abs(a - b) / m > RustEpsilon),
        "<" => Dynamic.FromBool(FloatScale(a, b) is var m && m != 0 && (b - a) / m > RustEpsilon),
        ">" => Dynamic.FromBool(FloatScale(a, b) is var m && m != 0 && (a - b) / m > RustEpsilon),
        "<=" => Dynamic.FromBool(FloatScale(a, b) is var m && (m == 0 || (b - a) / m > -RustEpsilon)),
        ">=" => Dynamic.FromBool(FloatScale(a, b) is var m && (m == 0 || (a - b) / m > -RustEpsilon)),
        _ => throw NotFound(op, line, col, x, y),
    };

    // Rhai compares floats with a tolerance (its builtin.rs), by these formulas exactly: the
    // difference against the larger magnitude (1 when either is 0) and f64::EPSILON. So an
    // infinity is neither above nor equal to anything (inf / inf is NaN), NaN != NaN is false,
    // and NaN == 0.0 is true (Rust's max passes over the NaN, leaving 0).
    private const double RustEpsilon = 2.220446049250313e-16; // f64::EPSILON

    private static double FloatScale(double a, double b) => a * b == 0 ? 1 : RustMax(Math.Abs(a), Math.Abs(b));

    private static double RustMax(double a, double b) => double.IsNaN(a) ? b : double.IsNaN(b) ? a : Math.Max(a, b);

    public static bool FloatEq(double a, double b) => FloatScale(a, b) is var m && (m == 0 || Math.Abs(a - b) / m <= RustEpsilon);

    public static bool Equal(Dynamic x, Dynamic y)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if (x.Type == RhaiType.Shared) x = ((SharedCell)x.Obj!).Value;
        if (y.Type == RhaiType.Shared) y = ((SharedCell)y.Obj!).Value;
        switch (x.Type)
        {
            case RhaiType.Int when y.Type == RhaiType.Int: return x.Bits == y.Bits;
            case RhaiType.Int or RhaiType.Float when y.Type is RhaiType.Int or RhaiType.Float:
                return FloatEq(x.Type == RhaiType.Int ? x.Bits : x.AsFloat, y.Type == RhaiType.Int ? y.Bits : y.AsFloat);
            case RhaiType.String or RhaiType.Char when y.Type is RhaiType.String or RhaiType.Char:
                return x.ToString() == y.ToString();
            case RhaiType.Array when y.Type == RhaiType.Array:
                var xa = x.AsArray;
                var ya = y.AsArray;
                if (xa.Count != ya.Count) return false;
                for (var i = 0; i < xa.Count; i++)
                {
                    if (!Equal(xa[i], ya[i])) return false;
                }
                return true;
            case RhaiType.Map when y.Type == RhaiType.Map:
                var xm = x.AsMap;
                var ym = y.AsMap;
                if (xm.Count != ym.Count) return false;
                foreach (var (k, v) in xm)
                {
                    if (!ym.TryGetValue(k, out var other) || !Equal(v, other)) return false;
                }
                return true;
            case RhaiType.Blob when y.Type == RhaiType.Blob: return x.AsBlob.SequenceEqual(y.AsBlob);
            case RhaiType.Range when y.Type == RhaiType.Range: return x.AsRange == y.AsRange;
            case RhaiType.FnPtr when y.Type == RhaiType.FnPtr: return x.AsFnPtr.Name == y.AsFnPtr.Name;
            default: return x.Type == y.Type && x.Bits == y.Bits && Equals(x.Obj, y.Obj);
        }
    }

    // A switch case matches only a value of the same type.
    public static bool StrictEquals(Dynamic x, Dynamic y) => x.Type == y.Type && Equal(x, y);

    public static int? Compare(Dynamic x, Dynamic y)
    {
        if (x.Type is RhaiType.String or RhaiType.Char && y.Type is RhaiType.String or RhaiType.Char)
        {
            return Math.Sign(Strings.Compare(x.ToString(), y.ToString()));
        }
        if (x.Type == RhaiType.Bool && y.Type == RhaiType.Bool) return x.Bits.CompareTo(y.Bits);
        if (x.Type == RhaiType.Timestamp && y.Type == RhaiType.Timestamp) return x.Bits.CompareTo(y.Bits);
        if (x.Type == RhaiType.Int && y.Type == RhaiType.Int) return x.Bits.CompareTo(y.Bits); // exactly, not as doubles
        if (x.Type is RhaiType.Int or RhaiType.Float && y.Type is RhaiType.Int or RhaiType.Float)
        {
            double a = x.Type == RhaiType.Int ? x.Bits : x.AsFloat, b = y.Type == RhaiType.Int ? y.Bits : y.AsFloat;
            return FloatEq(a, b) ? 0 : a.CompareTo(b);
        }
        return null;
    }

    public static bool Contains(Dynamic container, Dynamic item, Runtime r, int line, int col)
    {
        r.StopIfCancelled(line, col);
        switch (container.Type)
        {
            case RhaiType.Array:
                foreach (var x in container.AsArray)
                {
                    if (Equal(x, item)) return true;
                }
                return false;
            case RhaiType.String when item.Type is RhaiType.String or RhaiType.Char:
                return container.AsString.Contains(item.ToString(), StringComparison.Ordinal);
            case RhaiType.Map when item.Type == RhaiType.String:
                return container.AsMap.ContainsKey(item.AsString);
            // A stepped range (range(a, b, step)) has no contains in Rhai.
            case RhaiType.Range when item.Type == RhaiType.Int && container.AsRange.Step == 1:
                return container.AsRange.Contains(item.AsInt);
            case RhaiType.Blob when item.Type == RhaiType.Int:
                return container.AsBlob.Contains((byte)item.AsInt);
        }
        throw NotFound("contains", line, col, container, item);
    }

    public static IEnumerable<Dynamic> Iterate(Dynamic it, int line, int col)
    {
        switch (it.Type)
        {
            case RhaiType.Array: return it.AsArray.ToArray();
            case RhaiType.String: return Strings.Chars(it.AsString).Select(Dynamic.FromChar).ToArray();
            case RhaiType.Blob: return it.AsBlob.Select(b => Dynamic.FromInt(b)).ToArray();
        }
        throw new RhaiException(RhaiErrorKind.For, "For loop expects iterable type", line, col); // Rhai's words
    }

    public static string IntText(long v) => v.ToString(CultureInfo.InvariantCulture);
}
