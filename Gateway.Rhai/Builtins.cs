using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Gateway.Rhai;

/// <summary>The standard library: functions by name and number of arguments; each checks its argument types.</summary>
internal static partial class Builtins
{
    private static readonly Dictionary<(string, int), Builtin> Table = Build();

    public static Builtin? Find(string name, int arity) => Table.GetValueOrDefault((name, arity));

    private static Dictionary<(string, int), Builtin> Build()
    {
        var t = new Dictionary<(string, int), Builtin>();
        void Reg(string name, int arity, BuiltinFn fn, bool mutating = false) => t[(name, arity)] = new Builtin(fn, mutating);
        RegisterCore(Reg);
        RegisterMath(Reg);
        RegisterStrings(Reg);
        RegisterArrays(Reg);
        RegisterMaps(Reg);
        RegisterBlobs(Reg);
        // Names that Rhai marks pure for some types of their first argument and not for others
        // (a function of Rhai's taking its first argument by reference is pure only when marked so).
        MarkImpure(t, "split", 2, Builtin.Types(RhaiType.Array, RhaiType.Blob));
        MarkImpure(t, "get", 2, Builtin.Types(RhaiType.Array));
        MarkImpure(t, "contains", 2, Builtin.Types(RhaiType.Range));
        for (var n = 1; n <= 12; n++)
        {
            // x.call(f) binds `this` to x, and changes it; f.call() does not change f.
            MarkImpure(t, "call", n, ~Builtin.Types(RhaiType.FnPtr));
            t[("call", n)] = t[("call", n)] with { BindsThis = true };
        }
        return t;
    }

    private static void MarkImpure(Dictionary<(string, int), Builtin> t, string name, int arity, ulong types) =>
        t[(name, arity)] = t[(name, arity)] with { Mutating = true, ImpureTypes = types };

    internal static RhaiException NoMatch(Ctx c, string name, Dynamic[] a) => Ops.NotFound(name, c.Line, c.Col, a);

    private static long Int(Ctx c, string name, Dynamic[] a, int i) =>
        a[i].Type == RhaiType.Int ? a[i].AsInt : throw NoMatch(c, name, a);

    private static string Str(Ctx c, string name, Dynamic[] a, int i) =>
        a[i].Type == RhaiType.String ? a[i].AsString : throw NoMatch(c, name, a);

    /// <summary>A string or a char argument, as text: the only two a string function has overloads for.</summary>
    private static string Text(Ctx c, string name, Dynamic[] a, int i) =>
        a[i].Type is RhaiType.String or RhaiType.Char ? a[i].ToString() : throw NoMatch(c, name, a);

    private static FnPtr Fp(Ctx c, string name, Dynamic[] a, int i) =>
        a[i].Type == RhaiType.FnPtr ? a[i].AsFnPtr : throw NoMatch(c, name, a);

    /// <summary>A FLOAT argument: Rhai's float functions have no INT overloads.</summary>
    private static double Flt(Ctx c, string name, Dynamic[] a, int i) =>
        a[i].Type == RhaiType.Float ? a[i].AsFloat : throw NoMatch(c, name, a);

    private static double Num(Ctx c, string name, Dynamic[] a, int i) => a[i].Type switch
    {
        RhaiType.Float => a[i].AsFloat,
        RhaiType.Int => a[i].AsInt,
        _ => throw NoMatch(c, name, a),
    };

    private static void RegisterCore(Action<string, int, BuiltinFn, bool> reg)
    {
        void Reg(string n, int ar, BuiltinFn fn, bool m = false) => reg(n, ar, fn, m);

        Reg("print", 1, (c, a) =>
        {
            c.R.Print(a[0].ToString());
            return Dynamic.Unit;
        });
        Reg("debug", 1, (c, a) =>
        {
            c.R.Debug(a[0].ToDebugString(), c.Line, c.Col);
            return Dynamic.Unit;
        });
        Reg("type_of", 1, (_, a) => Dynamic.FromString(a[0].TypeName));
        Reg("exit", 0, (_, _) => throw new RhaiExit(Dynamic.Unit));
        Reg("exit", 1, (_, a) => throw new RhaiExit(a[0]));
        // As Rhai: the value, leaving () in its place (a constant refuses).
        Reg("take", 1, (_, a) =>
        {
            var value = a[0];
            a[0] = Dynamic.Unit;
            return value;
        }, true);
        Reg("to_string", 1, (_, a) => Dynamic.FromString(a[0].ToString()));
        Reg("to_debug", 1, (_, a) => Dynamic.FromString(a[0].ToDebugString()));
        Reg("is_def_fn", 2, (c, a) =>
        {
            var name = Str(c, "is_def_fn", a, 0);
            var arity = Int(c, "is_def_fn", a, 1);
            return Dynamic.FromBool(c.R.Ast.Functions.TryGetValue(name, out var list) && list.Any(f => f.Arity == arity));
        });
        // As Rhai's reflection functions: a map per script function (closures included, by
        // their anonymous names), all of them, those of a name, or of a name and a parameter count.
        Reg("get_fn_metadata_list", 0, (c, _) => FnMetadata(c, (_, _) => true));
        Reg("get_fn_metadata_list", 1, (c, a) =>
        {
            var name = Str(c, "get_fn_metadata_list", a, 0);
            return FnMetadata(c, (n, _) => n == name);
        });
        Reg("get_fn_metadata_list", 2, (c, a) =>
        {
            var name = Str(c, "get_fn_metadata_list", a, 0);
            var count = Int(c, "get_fn_metadata_list", a, 1);
            return FnMetadata(c, (n, p) => n == name && p == count);
        });
        Reg("Fn", 1, (c, a) =>
        {
            var name = Str(c, "Fn", a, 0);
            // As Rhai's FnPtr::try_from: a keyword, a reserved word or an operator is a syntax
            // error; any other name that is no identifier is no function.
            if (Parser.IsKeyword(name) || Parser.IsReservedName(name) || OperatorSymbols.Contains(name))
            {
                throw new RhaiParseException("Reserved",
                    $"Syntax error: '{name}' is a reserved {(Parser.IsValidIdentifier(name) ? "keyword" : "symbol")}", c.Line, c.Col);
            }
            if (!Parser.IsValidIdentifier(name)) throw c.Error(RhaiErrorKind.FunctionNotFound, $"Function not found: {name}");
            return Dynamic.FromFnPtr(new FnPtr(name, null, null, []));
        });
        for (var n = 1; n <= 12; n++)
        {
            Reg("call", n, (c, a) =>
            {
                // `call!(f, …)` runs f in the caller's scope, which the call site left pending.
                if (a[0].Type == RhaiType.FnPtr) return Calls.CallFnPtr(c.R, a[0].AsFnPtr, a[1..], c.Line, c.Col, c.R.TakePendingCaller());
                if (a.Length >= 2 && a[1].Type == RhaiType.FnPtr)
                {
                    // x.call(f, ...) binds `this` to x.
                    var self = a[0];
                    var result = Calls.CallFnPtr(c.R, a[1].AsFnPtr, a[2..], true, ref self, c.Line, c.Col, thisConst: c.FirstIsConst);
                    a[0] = self;
                    return result;
                }
                throw NoMatch(c, "call", a);
            }, true);
            Reg("curry", n + 1, (c, a) => Dynamic.FromFnPtr(Fp(c, "curry", a, 0).Curry(a[1..].Select(x => x.Clone()))));
        }
        Reg("name", 1, (c, a) => Dynamic.FromString(Fp(c, "name", a, 0).Name));
        Reg("is_anonymous", 1, (c, a) => Dynamic.FromBool(Fp(c, "is_anonymous", a, 0).Lambda is not null));
        Reg("eval", 1, (c, a) => c.R.Engine.EvalNested(Str(c, "eval", a, 0), c.R, c.Line, c.Col));
        Reg("timestamp", 0, (c, _) => Dynamic.FromTimestamp(c.R.Engine.Options.Clock.GetTimestamp()));
        // As Rhai: a whole number of seconds, or a float one; nothing for zero, a negative, NaN or a subnormal.
        Reg("sleep", 1, (c, a) =>
        {
            var seconds = a[0].Type switch
            {
                RhaiType.Int => a[0].AsInt > 0 ? a[0].AsInt : 0,
                RhaiType.Float => double.IsNormal(a[0].AsFloat) && a[0].AsFloat > 0 ? a[0].AsFloat : 0,
                _ => throw NoMatch(c, "sleep", a),
            };
            if (seconds > 0)
            {
                c.R.Sleep(seconds >= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds), c.Line, c.Col);
            }
            return Dynamic.Unit;
        });
        Reg("elapsed", 1, (c, a) => a[0].Type == RhaiType.Timestamp
            ? c.R.Engine.Options.Clock.GetElapsedTime(a[0].Bits) is var elapsed && elapsed < TimeSpan.Zero
                ? throw c.Error(RhaiErrorKind.Arithmetic, "Time-stamp is later than now") // as Rhai
                : Dynamic.FromFloat(elapsed.TotalSeconds)
            : throw NoMatch(c, "elapsed", a));
        // range(from, to), or range(from..to, step) as Rhai's range_stepped.
        Reg("range", 2, (c, a) => a[0].Type == RhaiType.Range
            ? a[0].AsRange is { Inclusive: false, Step: 1 } r && a[1].Type == RhaiType.Int
                ? RangeOf(c, [Dynamic.FromInt(r.Start), Dynamic.FromInt(r.End)], a[1].AsInt)
                : throw NoMatch(c, "range", a)
            : RangeOf(c, a, 1));
        Reg("range", 3, (c, a) => RangeOf(c, a, a[2].Type == RhaiType.Int ? a[2].AsInt : 0));
        // As Rhai's iter_basic: a range's start, end and kind, and whether it is empty; a stepped
        // range (range(a, b, step)) is an iterator with none of these.
        void OfRange(string name, Func<RhaiRange, Dynamic> read) =>
            Reg(name, 1, (c, a) => a[0].Type == RhaiType.Range && a[0].AsRange.Step == 1 ? read(a[0].AsRange) : throw NoMatch(c, name, a));
        OfRange("start", r => Dynamic.FromInt(r.Start));
        OfRange("end", r => Dynamic.FromInt(r.End));
        OfRange("is_inclusive", r => Dynamic.FromBool(r.Inclusive));
        OfRange("is_exclusive", r => Dynamic.FromBool(!r.Inclusive));
        Reg("len", 1, (c, a) => a[0].Type switch
        {
            RhaiType.String => Dynamic.FromInt(Strings.Length(a[0].AsString)),
            RhaiType.Array => Dynamic.FromInt(a[0].AsArray.Count),
            RhaiType.Map => Dynamic.FromInt(a[0].AsMap.Count),
            RhaiType.Blob => Dynamic.FromInt(a[0].AsBlob.Count),
            _ => throw NoMatch(c, "len", a),
        });
        Reg("is_empty", 1, (c, a) => a[0].Type switch
        {
            RhaiType.String => Dynamic.FromBool(a[0].AsString.Length == 0),
            RhaiType.Array => Dynamic.FromBool(a[0].AsArray.Count == 0),
            RhaiType.Map => Dynamic.FromBool(a[0].AsMap.Count == 0),
            RhaiType.Blob => Dynamic.FromBool(a[0].AsBlob.Count == 0),
            RhaiType.Range when a[0].AsRange is { Step: 1 } r => Dynamic.FromBool(r.Inclusive ? r.End < r.Start : r.End <= r.Start),
            _ => throw NoMatch(c, "is_empty", a),
        });
        Reg("contains", 2, (c, a) => Dynamic.FromBool(Ops.Contains(a[0], a[1], c.R, c.Line, c.Col)));
        Reg("clear", 1, (c, a) =>
        {
            switch (a[0].Type)
            {
                case RhaiType.String: a[0] = Dynamic.FromString(""); break;
                case RhaiType.Array: a[0].AsArray.Clear(); break;
                case RhaiType.Map: a[0].AsMap.Clear(); break;
                case RhaiType.Blob: a[0].AsBlob.Clear(); break;
                default: throw NoMatch(c, "clear", a);
            }
            return Dynamic.Unit;
        }, true);
        // As Rhai: a map's, in Rhai's own JSON writing (Formatter.Json).
        Reg("to_json", 1, (c, a) => a[0].Type == RhaiType.Map ? Dynamic.FromString(Formatter.Json(a[0].AsMap)) : throw NoMatch(c, "to_json", a));
        Reg("parse_json", 1, (c, a) =>
        {
            try
            {
                return RhaiJson.FromJsonString(Str(c, "parse_json", a, 0));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                // Not JSON, or a string in it that is no text (a lone surrogate): a runtime error whose value is the reason, as in Rhai.
                var reason = "Invalid JSON: " + e.Message.Split(" LineNumber:", 2)[0].TrimEnd();
                throw new RhaiException(RhaiErrorKind.Runtime, "Runtime error: " + reason, c.Line, c.Col) { ThrownValue = Dynamic.FromString(reason) };
            }
        });
    }

    private static Dynamic RangeOf(Ctx c, Dynamic[] a, long step)
    {
        if (a[0].Type == RhaiType.Int && a[1].Type == RhaiType.Int && (a.Length == 2 || a[2].Type == RhaiType.Int))
        {
            if (step == 0) throw c.Error(RhaiErrorKind.Arithmetic, "step value cannot be zero");
            if (step == 1) return Dynamic.FromRange(a[0].AsInt, a[1].AsInt, false);
            return new Dynamic(RhaiType.Range, 0, new RhaiRange(a[0].AsInt, a[1].AsInt, false, step));
        }
        // As Rhai: a float range takes all three of from, to and step, each a FLOAT.
        if (a.Length == 3 && a.All(x => x.Type == RhaiType.Float))
        {
            double from = a[0].AsFloat, to = a[1].AsFloat, st = a[2].AsFloat;
            if (from + st == from) throw c.Error(RhaiErrorKind.Arithmetic, "step value cannot be zero");
            // Its steps are made here, so they count against the array size limit: a range of
            // billions of steps is refused instead of filling memory.
            var most = c.R.Options.MaxArraySize;
            var list = new List<Dynamic>();
            // As Rhai's StepRange: it goes only the way the step leads from the start to the end
            // (a NaN leads nowhere), and stops at the first value past the end.
            var forward = from < to && from + st > from;
            if (!forward && !(from > to && from + st < from)) return Dynamic.FromArray(list);
            for (var x = from; forward ? x < to : x > to; x += st)
            {
                c.R.Tick(c.Line, c.Col);
                if (most > 0 && list.Count >= most) throw c.Error(RhaiErrorKind.DataTooLarge, "Size of array/BLOB too large");
                list.Add(Dynamic.FromFloat(x));
            }
            return Dynamic.FromArray(list);
        }
        throw NoMatch(c, "range", a);
    }

    private static void RegisterMath(Action<string, int, BuiltinFn, bool> reg)
    {
        void Reg(string n, int ar, BuiltinFn fn) => reg(n, ar, fn, false);
        void Float1(string name, Func<double, double> fn) =>
            Reg(name, 1, (c, a) => a[0].Type == RhaiType.Float ? Dynamic.FromFloat(fn(a[0].AsFloat)) : throw NoMatch(c, name, a));

        Reg("abs", 1, (c, a) => a[0].Type switch
        {
            RhaiType.Int => a[0].AsInt == long.MinValue ? throw c.Error(RhaiErrorKind.Arithmetic, $"Negation overflow: -{a[0].AsInt}") : Dynamic.FromInt(Math.Abs(a[0].AsInt)),
            RhaiType.Float => Dynamic.FromFloat(Math.Abs(a[0].AsFloat)),
            _ => throw NoMatch(c, "abs", a),
        });
        Reg("sign", 1, (c, a) => a[0].Type switch
        {
            RhaiType.Int => Dynamic.FromInt(Math.Sign(a[0].AsInt)),
            RhaiType.Float => double.IsNaN(a[0].AsFloat)
                ? throw c.Error(RhaiErrorKind.Arithmetic, "Sign of NaN is undefined")
                : Dynamic.FromInt(Math.Sign(a[0].AsFloat)),
            _ => throw NoMatch(c, "sign", a),
        });
        Reg("min", 2, (c, a) => MinMax(c, a, min: true));
        Reg("max", 2, (c, a) => MinMax(c, a, min: false));
        Float1("sqrt", Math.Sqrt);
        Float1("floor", Math.Floor);
        Float1("ceiling", Math.Ceiling);
        Float1("round", x => Math.Round(x, MidpointRounding.AwayFromZero));
        Float1("int", Math.Truncate);
        Float1("fraction", x => x - Math.Truncate(x));
        Float1("sin", Math.Sin);
        Float1("cos", Math.Cos);
        Float1("tan", Math.Tan);
        Float1("asin", Math.Asin);
        Float1("acos", Math.Acos);
        Float1("atan", Math.Atan);
        Float1("sinh", Math.Sinh);
        Float1("cosh", Math.Cosh);
        Float1("tanh", Math.Tanh);
        Float1("asinh", Math.Asinh);
        Float1("acosh", Math.Acosh);
        Float1("atanh", Math.Atanh);
        Reg("hypot", 2, (c, a) => a[0].Type == RhaiType.Float && a[1].Type == RhaiType.Float
            ? Dynamic.FromFloat(double.Hypot(a[0].AsFloat, a[1].AsFloat))
            : throw NoMatch(c, "hypot", a));
        Float1("exp", Math.Exp);
        Float1("ln", Math.Log);
        Float1("log", Math.Log10);
        // As Rust's f64::to_degrees and to_radians: one multiplication by the constant.
        Float1("to_degrees", x => x * (180.0 / Math.PI));
        Float1("to_radians", x => x * (Math.PI / 180.0));
        Reg("atan", 2, (c, a) => Dynamic.FromFloat(Math.Atan2(Flt(c, "atan", a, 0), Flt(c, "atan", a, 1))));
        Reg("log", 2, (c, a) => Dynamic.FromFloat(Math.Log(Flt(c, "log", a, 0)) / Math.Log(Flt(c, "log", a, 1))));
        Reg("PI", 0, (_, _) => Dynamic.FromFloat(Math.PI));
        Reg("E", 0, (_, _) => Dynamic.FromFloat(Math.E));
        Reg("is_nan", 1, (c, a) => Dynamic.FromBool(double.IsNaN(Flt(c, "is_nan", a, 0))));
        Reg("is_finite", 1, (c, a) => Dynamic.FromBool(double.IsFinite(Flt(c, "is_finite", a, 0))));
        Reg("is_infinite", 1, (c, a) => Dynamic.FromBool(double.IsInfinity(Flt(c, "is_infinite", a, 0))));
        Reg("is_zero", 1, (c, a) => Dynamic.FromBool(Num(c, "is_zero", a, 0) == 0));
        Reg("is_odd", 1, (c, a) => Dynamic.FromBool((Int(c, "is_odd", a, 0) & 1) != 0));
        Reg("is_even", 1, (c, a) => Dynamic.FromBool((Int(c, "is_even", a, 0) & 1) == 0));
        Reg("to_int", 1, (c, a) => a[0].Type switch
        {
            RhaiType.Int => a[0],
            RhaiType.Float => FloatToInt(c, a[0].AsFloat),
            RhaiType.Char => Dynamic.FromInt(a[0].AsChar),
            _ => throw NoMatch(c, "to_int", a),
        });
        Reg("to_float", 1, (c, a) => a[0].Type switch
        {
            RhaiType.Int => Dynamic.FromFloat(a[0].AsInt),
            RhaiType.Float => a[0],
            _ => throw NoMatch(c, "to_float", a),
        });
        Reg("to_char", 1, (c, a) => Int(c, "to_char", a, 0) is var code && code is >= 0 and <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF)
            ? Dynamic.FromChar((int)code)
            : throw c.Error(RhaiErrorKind.Arithmetic, $"Invalid character code: to_char({code})"));
        Reg("parse_int", 1, (c, a) => ParseInt(c, Str(c, "parse_int", a, 0), 10));
        Reg("parse_int", 2, (c, a) => Int(c, "parse_int", a, 1) is var radix && radix is >= 2 and <= 36
            ? ParseInt(c, Str(c, "parse_int", a, 0), (int)radix)
            : throw c.Error(RhaiErrorKind.Arithmetic, $"Invalid radix: '{radix}'"));
        Reg("parse_float", 1, (c, a) =>
        {
            var given = Str(c, "parse_float", a, 0);
            var s = given.Trim();
            // Rust's f64 parsing also takes inf, infinity and nan, in any case, with a sign.
            var word = s.TrimStart('+', '-').ToLowerInvariant();
            if (word is "inf" or "infinity" or "nan" && s.Length - word.Length <= 1)
                return Dynamic.FromFloat(word == "nan" ? double.NaN : s[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity);
            return s.Length > 0 && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                ? Dynamic.FromFloat(d)
                : throw c.Error(RhaiErrorKind.Arithmetic, s.Length == 0
                    ? $"Error parsing floating-point number '{given}': cannot parse float from empty string"
                    : $"Error parsing floating-point number '{given}': invalid float literal");
        });
        Reg("to_hex", 1, (c, a) => Dynamic.FromString(Int(c, "to_hex", a, 0).ToString("x", CultureInfo.InvariantCulture)));
        Reg("to_octal", 1, (c, a) => Dynamic.FromString(Convert.ToString(Int(c, "to_octal", a, 0), 8)));
        Reg("to_binary", 1, (c, a) => Dynamic.FromString(Convert.ToString(Int(c, "to_binary", a, 0), 2)));
        Reg("get_bit", 2, (c, a) => Dynamic.FromBool(((Int(c, "get_bit", a, 0) >> Indexing.BitIndex(Int(c, "get_bit", a, 1), c.Line, c.Col)) & 1) != 0));
        reg("set_bit", 3, (c, a) =>
        {
            var x = Int(c, "set_bit", a, 0);
            var bit = Indexing.BitIndex(Int(c, "set_bit", a, 1), c.Line, c.Col);
            if (a[2].Type != RhaiType.Bool) throw NoMatch(c, "set_bit", a);
            a[0] = Dynamic.FromInt(a[2].AsBool ? x | (1L << bit) : x & ~(1L << bit));
            return Dynamic.Unit;
        }, true);
        Reg("bits", 3, (c, a) => Bits(c, Int(c, "bits", a, 0), Int(c, "bits", a, 1), Int(c, "bits", a, 2)));
        Reg("bits", 2, (c, a) =>
        {
            var (from, len) = IterationFrom(c, "bits", a);
            return Bits(c, Int(c, "bits", a, 0), from, len);
        });
        Reg("bits", 1, (c, a) => Bits(c, Int(c, "bits", a, 0), 0, long.MaxValue));
        // As Rhai's bit_field.rs: no bits (a length of 0 or less) is 0 or no change, before the
        // start is checked; a start counts from the end when negative; the length stops at bit 63.
        Reg("get_bits", 3, (c, a) => Dynamic.FromInt(GetBits(c, Int(c, "get_bits", a, 0), Int(c, "get_bits", a, 1), Int(c, "get_bits", a, 2))));
        Reg("get_bits", 2, (c, a) =>
        {
            var (from, len) = BitFieldRange(c, "get_bits", a);
            return Dynamic.FromInt(GetBits(c, Int(c, "get_bits", a, 0), from, len));
        });
        reg("set_bits", 4, (c, a) =>
        {
            a[0] = Dynamic.FromInt(SetBits(c, Int(c, "set_bits", a, 0), Int(c, "set_bits", a, 1), Int(c, "set_bits", a, 2), Int(c, "set_bits", a, 3)));
            return Dynamic.Unit;
        }, true);
        reg("set_bits", 3, (c, a) =>
        {
            var (from, len) = BitFieldRange(c, "set_bits", a);
            a[0] = Dynamic.FromInt(SetBits(c, Int(c, "set_bits", a, 0), from, len, Int(c, "set_bits", a, 2)));
            return Dynamic.Unit;
        }, true);
    }

    /// <summary>
    /// The start and length of a range as Rhai's <c>chars</c> and <c>bits</c> take one: the start
    /// at least 0, and an inclusive range whose end is before its start empty.
    /// </summary>
    private static (long From, long Len) IterationRange(RhaiRange r)
    {
        var from = Math.Max(r.Start, 0);
        if (!r.Inclusive) return (from, Math.Max(r.End, from) - from);
        var to = Math.Min(Math.Max(r.End, from - 1), long.MaxValue - 1);
        return (from, to - from + 1);
    }

    /// <summary><c>chars</c> or <c>bits</c> given a start (all from there) or a range, as the second argument.</summary>
    private static (long From, long Len) IterationFrom(Ctx c, string name, Dynamic[] a) => a[1].Type switch
    {
        RhaiType.Int => (a[1].AsInt, long.MaxValue),
        RhaiType.Range when a[1].AsRange.Step == 1 => IterationRange(a[1].AsRange),
        _ => throw NoMatch(c, name, a),
    };

    private static Dynamic Bits(Ctx c, long x, long start, long len)
    {
        start = Indexing.BitIndex(start, c.Line, c.Col);
        var list = new List<Dynamic>();
        for (var i = start; i < (len >= 64 - start ? 64 : start + len); i++) list.Add(Dynamic.FromBool(((x >> (int)i) & 1) != 0));
        return Dynamic.FromArray(list);
    }

    private static Dynamic FloatToInt(Ctx c, double d)
    {
        // As Rhai: beyond i64's range as a float (2^63) is an overflow; NaN is 0 and 2^63 is
        // i64::MAX, as Rust's saturating cast makes them.
        if (d > 9.2233720368547758E18 || d < -9.2233720368547758E18)
            throw c.Error(RhaiErrorKind.Arithmetic, $"Integer overflow: to_int({Formatter.RustDisplay(d)})");
        if (double.IsNaN(d)) return Dynamic.FromInt(0);
        return Dynamic.FromInt(d >= 9.2233720368547758E18 ? long.MaxValue : (long)Math.Truncate(d));
    }

    /// <summary>A range as Rhai's get_bits and set_bits take one: a start and a number of bits.</summary>
    private static (long From, long Len) BitFieldRange(Ctx c, string name, Dynamic[] a)
    {
        if (a[1].Type != RhaiType.Range) throw NoMatch(c, name, a);
        var r = a[1].AsRange;
        var from = Math.Max(r.Start, 0);
        if (!r.Inclusive) return (from, Math.Max(r.End, from) - from);
        var to = Math.Max(r.End, from - 1);
        if (to >= 64) throw c.Error(RhaiErrorKind.BitFieldBounds, $"Bit-field index {to} out of bounds: only 64 bits in bit-field");
        return (from, to - from + 1);
    }

    private static long GetBits(Ctx c, long value, long start, long bits)
    {
        if (bits <= 0) return 0;
        var bit = Indexing.BitIndex(start, c.Line, c.Col);
        var n = (int)Math.Min(bits, 64 - bit);
        if (n == 64) return value;
        var mask = (1L << n) - 1;
        return (value >> bit) & mask;
    }

    private static long SetBits(Ctx c, long value, long start, long bits, long newValue)
    {
        if (bits <= 0) return value;
        var bit = Indexing.BitIndex(start, c.Line, c.Col);
        var n = (int)Math.Min(bits, 64 - bit);
        if (n == 64) return newValue;
        var mask = (1L << n) - 1;
        return (value & ~(mask << bit)) | ((newValue & mask) << bit);
    }

    private static Dynamic MinMax(Ctx c, Dynamic[] a, bool min)
    {
        // Two strings or two chars, in their own order (as < compares them); the first when equal.
        if (a[0].Type == a[1].Type && a[0].Type is RhaiType.String or RhaiType.Char)
        {
            var order = Ops.Compare(a[0], a[1]) ?? 0;
            return (min ? order <= 0 : order >= 0) ? a[0] : a[1];
        }
        if (a[0].Type == RhaiType.Int && a[1].Type == RhaiType.Int)
        {
            return Dynamic.FromInt(min ? Math.Min(a[0].AsInt, a[1].AsInt) : Math.Max(a[0].AsInt, a[1].AsInt));
        }
        var x = Num(c, min ? "min" : "max", a, 0);
        var y = Num(c, min ? "min" : "max", a, 1);
        // As Rhai: x <= y ? x : y (and >= for max), so a NaN first gives the other.
        return Dynamic.FromFloat(min ? (x <= y ? x : y) : (x >= y ? x : y));
    }

    private static readonly HashSet<string> OperatorSymbols = new(StringComparer.Ordinal)
    {
        "+", "-", "*", "/", "%", "**", "<<", ">>", "&", "|", "^", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "!",
        "=", "+=", "-=", "*=", "/=", "%=", "**=", "<<=", ">>=", "&=", "|=", "^=", "..", "..=", "??", "?.", "?[",
        "(", ")", "{", "}", "[", "]", ",", ";", ":", "::", "=>", ".", "#{", "!in",
    };

    private static Dynamic FnMetadata(Ctx c, Func<string, long, bool> wanted)
    {
        var list = new List<Dynamic>();
        foreach (var fn in c.R.Ast.Functions.Values.SelectMany(x => x).Concat(c.R.Ast.Closures))
        {
            if (!wanted(fn.Name, fn.Params.Length)) continue;
            var map = new RhaiMap
            {
                ["name"] = Dynamic.FromString(fn.Name),
                ["access"] = Dynamic.FromString(fn.IsPrivate ? "private" : "public"),
                ["is_anonymous"] = Dynamic.FromBool(fn.Name.StartsWith("anon$", StringComparison.Ordinal)),
                ["params"] = Dynamic.FromArray([.. fn.Params.Select(Dynamic.FromString)]),
            };
            if (fn.ThisTypeName is { } type) map["this_type"] = Dynamic.FromString(type);
            list.Add(Dynamic.FromMap(map));
        }
        return Dynamic.FromArray(list);
    }

    /// <summary>As Rust's <c>i64::from_str_radix</c> on the trimmed text, with its error texts.</summary>
    private static Dynamic ParseInt(Ctx c, string s, int radix)
    {
        var text = s.Trim();
        var negative = text.StartsWith('-');
        var digits = negative || text.StartsWith('+') ? text[1..] : text;
        long value = 0;
        string? error = text.Length == 0 ? "cannot parse integer from empty string"
            : digits.Length == 0 ? "invalid digit found in string"
            : null;
        foreach (var ch in error is null ? digits : "")
        {
            var d = char.IsAsciiDigit(ch) ? ch - '0' : char.IsAsciiLetter(ch) ? char.ToLowerInvariant(ch) - 'a' + 10 : 99;
            if (d >= radix)
            {
                error = "invalid digit found in string";
                break;
            }
            var next = (Int128)value * radix + (negative ? -d : d);
            if (next > long.MaxValue || next < long.MinValue)
            {
                error = negative ? "number too small to fit in target type" : "number too large to fit in target type";
                break;
            }
            value = (long)next;
        }
        return error is null
            ? Dynamic.FromInt(value)
            : throw c.Error(RhaiErrorKind.Arithmetic, $"Error parsing integer number '{s}': {error}");
    }

    // Mutating methods on lists go through the span of the list so `this` writes land in place.
    internal static Span<Dynamic> Span(List<Dynamic> list) => CollectionsMarshal.AsSpan(list);
}
