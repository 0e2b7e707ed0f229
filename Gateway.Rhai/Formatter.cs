using System.Globalization;
using System.Text;

namespace Gateway.Rhai;

/// <summary>Rhai's text forms: <c>print</c> (Display) and <c>debug</c> (Debug), float rules included.</summary>
internal static class Formatter
{
    // Rhai switches print() to scientific notation outside these bounds (they are f32 constants there).
    private static readonly double MaxNatural = (double)10_000_000_000_000f;
    private static readonly double MinNatural = (double)0.000_000_000_000_1f;

    public static string Display(Dynamic v) => v.Type switch
    {
        RhaiType.Unit => "",
        RhaiType.String => v.AsString,
        RhaiType.Char => char.ConvertFromUtf32(v.AsChar),
        RhaiType.Float => DisplayFloat(v.AsFloat),
        _ => Debug(v),
    };

    public static string Debug(Dynamic v)
    {
        var sb = new StringBuilder();
        AppendDebug(sb, v);
        return sb.ToString();
    }

    private static void AppendDebug(StringBuilder sb, Dynamic v)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (v.Type)
        {
            case RhaiType.Unit: sb.Append("()"); break;
            case RhaiType.Bool: sb.Append(v.AsBool ? "true" : "false"); break;
            case RhaiType.Int: sb.Append(v.AsInt.ToString(CultureInfo.InvariantCulture)); break;
            case RhaiType.Float: sb.Append(DebugFloat(v.AsFloat)); break;
            case RhaiType.Char: sb.Append(char.ConvertFromUtf32(v.AsChar)); break;
            case RhaiType.String: AppendQuoted(sb, v.AsString); break;
            case RhaiType.Array:
                sb.Append('[');
                var first = true;
                foreach (var item in v.AsArray)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    AppendDebug(sb, item);
                }
                sb.Append(']');
                break;
            case RhaiType.Map:
                sb.Append("#{");
                var firstKey = true;
                foreach (var (key, value) in v.AsMap)
                {
                    if (!firstKey) sb.Append(", ");
                    firstKey = false;
                    AppendQuoted(sb, key);
                    sb.Append(": ");
                    AppendDebug(sb, value);
                }
                sb.Append('}');
                break;
            case RhaiType.Blob:
                sb.Append('[');
                var bytes = v.AsBlob;
                for (var i = 0; i < bytes.Count; i++)
                {
                    if (i > 0 && i % 8 == 0) sb.Append(' ');
                    sb.Append(bytes[i].ToString("x2", CultureInfo.InvariantCulture));
                }
                sb.Append(']');
                break;
            case RhaiType.FnPtr: sb.Append(v.AsFnPtr.ToString()); break;
            case RhaiType.Timestamp: sb.Append("<timestamp>"); break;
            case RhaiType.Range: sb.Append(v.AsRange.ToString()); break;
            case RhaiType.Shared: AppendDebug(sb, ((SharedCell)v.Obj!).Value); break;
        }
    }

    /// <summary>
    /// Rhai's <c>to_json</c> of a map (its format_map_as_json): keys and strings quoted, arrays,
    /// maps and blobs (as byte numbers) in JSON's brackets, <c>()</c> as null, a function pointer
    /// as its quoted name (with its curried values, in an array), and any other value in its Rust
    /// debug form, so a float is <c>1.0</c> and a char <c>'a'</c>, as Rhai writes them.
    /// </summary>
    public static string Json(RhaiMap map)
    {
        var sb = new StringBuilder();
        AppendJsonMap(sb, map);
        return sb.ToString();
    }

    private static void AppendJsonMap(StringBuilder sb, RhaiMap map)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        sb.Append('{');
        var first = true;
        foreach (var (key, value) in map)
        {
            if (!first) sb.Append(',');
            first = false;
            AppendQuoted(sb, key);
            sb.Append(':');
            AppendJson(sb, value);
        }
        sb.Append('}');
    }

    private static void AppendJson(StringBuilder sb, Dynamic v)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (v.Type)
        {
            case RhaiType.Unit: sb.Append("null"); break;
            case RhaiType.Map: AppendJsonMap(sb, v.AsMap); break;
            case RhaiType.Array:
                sb.Append('[');
                for (var i = 0; i < v.AsArray.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    AppendJson(sb, v.AsArray[i]);
                }
                sb.Append(']');
                break;
            case RhaiType.Blob:
                sb.Append('[').AppendJoin(',', v.AsBlob).Append(']');
                break;
            case RhaiType.FnPtr:
                var fp = v.AsFnPtr;
                if (fp.Curried.Length > 0) sb.Append('[');
                AppendQuoted(sb, fp.Name);
                foreach (var curried in fp.Curried)
                {
                    sb.Append(',');
                    AppendJson(sb, curried);
                }
                if (fp.Curried.Length > 0) sb.Append(']');
                break;
            case RhaiType.Char:
                sb.Append('\'');
                var c = char.ConvertFromUtf32(v.AsChar);
                if (c == "'") sb.Append("\\'");
                else if (c == "\"") sb.Append('"');
                else AppendEscaped(sb, c);
                sb.Append('\'');
                break;
            case RhaiType.Shared: AppendJson(sb, ((SharedCell)v.Obj!).Value); break;
            default: AppendDebug(sb, v); break;
        }
    }

    public static void AppendQuoted(StringBuilder sb, string s)
    {
        sb.Append('"');
        AppendEscaped(sb, s);
        sb.Append('"');
    }

    /// <summary>The text of <paramref name="s"/> with Rust's debug escapes (quote, backslash, control characters).</summary>
    private static void AppendEscaped(StringBuilder sb, string s)
    {
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\0': sb.Append("\\0"); break;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        sb.Append("\\u{").Append(((int)c).ToString("x", CultureInfo.InvariantCulture)).Append('}');
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
    }

    /// <summary>Rust's Display of an f64: every digit, never an exponent (1e20 is 100000000000000000000, 1.0 is 1).</summary>
    public static string RustDisplay(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "inf" : "-inf") : Natural(d);

    public static string DisplayFloat(double d)
    {
        if (double.IsNaN(d)) return "NaN";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        var abs = Math.Abs(d);
        if (abs == 0) return "0.0";
        if (abs > MaxNatural || abs < MinNatural) return Scientific(d);
        var text = Natural(d);
        return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
    }

    // Rust's Debug for f64: exponent form below 1e-4 and from 1e16 up, otherwise natural with ".0".
    private static string DebugFloat(double d)
    {
        if (double.IsNaN(d)) return "NaN";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        var abs = Math.Abs(d);
        if (abs == 0) return d.Equals(-0.0) && double.IsNegative(d) ? "-0.0" : "0.0";
        if (abs < 1e-4 || abs >= 1e16) return Scientific(d);
        var text = Natural(d);
        return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
    }

    // Shortest round-trip digits and the decimal exponent of the first digit.
    private static (string Digits, int Exponent) Decompose(double abs)
    {
        var shortest = abs.ToString("R", CultureInfo.InvariantCulture);
        int exp;
        string mantissa;
        var ePos = shortest.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            mantissa = shortest[..ePos];
            exp = int.Parse(shortest[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        else
        {
            mantissa = shortest;
            exp = 0;
        }
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fracPart = dot >= 0 ? mantissa[(dot + 1)..] : "";
        var digits = (intPart + fracPart).TrimStart('0');
        var leadingZeros = (intPart + fracPart).Length - digits.Length;
        // value = 0.(intPart fracPart) * 10^(intPart.Length + exp); first significant digit exponent:
        var firstExp = intPart.Length + exp - 1 - leadingZeros;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        return (digits, firstExp);
    }

    private static string Scientific(double d)
    {
        var (digits, exp) = Decompose(Math.Abs(d));
        var sb = new StringBuilder();
        if (d < 0) sb.Append('-');
        sb.Append(digits[0]);
        if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
        sb.Append('e').Append(exp.ToString(CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    private static string Natural(double d)
    {
        var (digits, exp) = Decompose(Math.Abs(d));
        var sb = new StringBuilder();
        if (d < 0) sb.Append('-');
        if (exp < 0)
        {
            sb.Append("0.").Append('0', -exp - 1).Append(digits);
        }
        else if (digits.Length <= exp + 1)
        {
            sb.Append(digits).Append('0', exp + 1 - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, exp + 1).Append('.').Append(digits, exp + 1, digits.Length - exp - 1);
        }
        return sb.ToString();
    }
}
