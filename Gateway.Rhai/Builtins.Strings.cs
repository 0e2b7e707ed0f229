using System.Text;

namespace Gateway.Rhai;

internal static partial class Builtins
{
    private static void RegisterStrings(Action<string, int, BuiltinFn, bool> reg)
    {
        void Reg(string n, int ar, BuiltinFn fn, bool m = false) => reg(n, ar, fn, m);

        Reg("to_upper", 1, (c, a) => a[0].Type switch
        {
            RhaiType.String => Dynamic.FromString(Strings.ToUpper(a[0].AsString)),
            RhaiType.Char => Dynamic.FromChar(Strings.UpperChar(a[0].AsChar)),
            _ => throw NoMatch(c, "to_upper", a),
        });
        Reg("to_lower", 1, (c, a) => a[0].Type switch
        {
            RhaiType.String => Dynamic.FromString(Strings.ToLower(a[0].AsString)),
            RhaiType.Char => Dynamic.FromChar(Strings.LowerChar(a[0].AsChar)),
            _ => throw NoMatch(c, "to_lower", a),
        });
        // A string, or a char (as to_upper and to_lower change one), changed in place.
        Reg("make_upper", 1, (c, a) =>
        {
            a[0] = a[0].Type == RhaiType.Char ? Find("to_upper", 1)!.Fn(c, a) : Dynamic.FromString(Strings.ToUpper(Str(c, "make_upper", a, 0)));
            return Dynamic.Unit;
        }, true);
        Reg("make_lower", 1, (c, a) =>
        {
            a[0] = a[0].Type == RhaiType.Char ? Find("to_lower", 1)!.Fn(c, a) : Dynamic.FromString(Strings.ToLower(Str(c, "make_lower", a, 0)));
            return Dynamic.Unit;
        }, true);
        Reg("trim", 1, (c, a) =>
        {
            a[0] = Dynamic.FromString(Str(c, "trim", a, 0).Trim());
            return Dynamic.Unit;
        }, true);
        Reg("starts_with", 2, (c, a) => Dynamic.FromBool(Str(c, "starts_with", a, 0).StartsWith(Text(c, "starts_with", a, 1), StringComparison.Ordinal)));
        Reg("ends_with", 2, (c, a) => Dynamic.FromBool(Str(c, "ends_with", a, 0).EndsWith(Text(c, "ends_with", a, 1), StringComparison.Ordinal)));
        Reg("index_of", 2, (c, a) => IndexOf(c, a, 0));
        Reg("index_of", 3, (c, a) => IndexOf(c, a, Int(c, "index_of", a, 2)));
        Reg("sub_string", 2, (c, a) =>
        {
            var s = Str(c, "sub_string", a, 0);
            if (a[1].Type == RhaiType.Range)
            {
                var (st, ln) = Asked(a[1].AsRange);
                return Dynamic.FromString(Strings.Sub(s, st, ln));
            }
            return Dynamic.FromString(Strings.Sub(s, Int(c, "sub_string", a, 1), int.MaxValue));
        });
        Reg("sub_string", 3, (c, a) => Dynamic.FromString(Strings.Sub(Str(c, "sub_string", a, 0), Int(c, "sub_string", a, 1), Int(c, "sub_string", a, 2))));
        Reg("crop", 2, (c, a) =>
        {
            var s = Str(c, "crop", a, 0);
            if (a[1].Type == RhaiType.Range)
            {
                var (st, ln) = Asked(a[1].AsRange);
                a[0] = Dynamic.FromString(Strings.Sub(s, st, ln));
            }
            else
            {
                a[0] = Dynamic.FromString(Strings.Sub(s, Int(c, "crop", a, 1), int.MaxValue));
            }
            return Dynamic.Unit;
        }, true);
        Reg("crop", 3, (c, a) =>
        {
            a[0] = Dynamic.FromString(Strings.Sub(Str(c, "crop", a, 0), Int(c, "crop", a, 1), Int(c, "crop", a, 2)));
            return Dynamic.Unit;
        }, true);
        Reg("replace", 3, (c, a) =>
        {
            var s = Str(c, "replace", a, 0);
            var (find, with) = (Text(c, "replace", a, 1), Text(c, "replace", a, 2));
            // As Rhai: an empty string stays empty, even for an empty pattern.
            if (s.Length > 0) a[0] = Dynamic.FromString(Strings.Replace(s, find, with));
            return Dynamic.Unit;
        }, true);
        Reg("chars", 1, (c, a) => CharList(c, Str(c, "chars", a, 0)));
        // From a position (from the end when negative), for a length, or over a range.
        Reg("chars", 2, (c, a) =>
        {
            var (from, len) = IterationFrom(c, "chars", a);
            return CharsOf(c, Str(c, "chars", a, 0), from, len);
        });
        Reg("chars", 3, (c, a) => CharsOf(c, Str(c, "chars", a, 0), Int(c, "chars", a, 1), Int(c, "chars", a, 2)));
        Reg("to_chars", 1, (c, a) => CharList(c, Str(c, "to_chars", a, 0)));
        Reg("bytes", 1, (c, a) => Dynamic.FromInt(Encoding.UTF8.GetByteCount(Str(c, "bytes", a, 0))));
        Reg("to_blob", 1, (c, a) => Dynamic.FromBlob([.. Encoding.UTF8.GetBytes(Str(c, "to_blob", a, 0))]));
        // As Rhai: an empty string is one empty piece.
        Reg("split", 1, (c, a) => Str(c, "split", a, 0) is var s && s.Length == 0
            ? StrList([s])
            : StrList(s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
        Reg("split", 2, (c, a) =>
        {
            if (a[0].Type is RhaiType.Array or RhaiType.Blob) return SplitAt(c, a);
            var s = Str(c, "split", a, 0);
            if (a[1].Type == RhaiType.Int)
            {
                var cps = Strings.ToCodePoints(s);
                // As Rhai: from the end when not above 0, so split(0) leaves the whole string first.
                var at = a[1].AsInt <= 0 ? Math.Max(0, cps.Length + a[1].AsInt) : Math.Min(cps.Length, a[1].AsInt);
                return StrList([Strings.FromCodePoints(cps[..(int)at]), Strings.FromCodePoints(cps[(int)at..])]);
            }
            return Split(c, s, Text(c, "split", a, 1), long.MaxValue, fromEnd: false);
        });
        Reg("split", 3, (c, a) => Split(c, Str(c, "split", a, 0), Text(c, "split", a, 1), Math.Max(1, Int(c, "split", a, 2)), fromEnd: false));
        Reg("pop", 2, (c, a) =>
        {
            // As Rhai: the last n characters, taken off the string; all of it when n reaches its length.
            var s = Str(c, "pop", a, 0);
            var n = Int(c, "pop", a, 1);
            if (s.Length == 0 || n <= 0) return Dynamic.FromString("");
            var cps = Strings.ToCodePoints(s);
            if (n >= cps.Length)
            {
                a[0] = Dynamic.FromString("");
                return Dynamic.FromString(s);
            }
            a[0] = Dynamic.FromString(Strings.FromCodePoints(cps[..^(int)n]));
            return Dynamic.FromString(Strings.FromCodePoints(cps[^(int)n..]));
        }, true);
        Reg("split_rev", 2, (c, a) => Split(c, Str(c, "split_rev", a, 0), Text(c, "split_rev", a, 1), long.MaxValue, fromEnd: true));
        Reg("split_rev", 3, (c, a) => Split(c, Str(c, "split_rev", a, 0), Text(c, "split_rev", a, 1), Math.Max(1, Int(c, "split_rev", a, 2)), fromEnd: true));
        Reg("pad", 3, (c, a) =>
        {
            if (a[0].Type == RhaiType.Array) return PadArray(c, a);
            if (a[0].Type == RhaiType.Blob)
            {
                var blob = a[0].AsBlob;
                var target = Int(c, "pad", a, 1);
                CheckLen(c, target, array: true);
                while (blob.Count < target) blob.Add((byte)Int(c, "pad", a, 2));
                return Dynamic.Unit;
            }
            var s = Str(c, "pad", a, 0);
            var len = Int(c, "pad", a, 1);
            CheckLen(c, len, array: false);
            var fill = Text(c, "pad", a, 2);
            var sb = new StringBuilder(s);
            long count = Strings.Length(s);
            var fillLength = Strings.Length(fill);
            while (count < len && fillLength > 0)
            {
                // As Rhai: whole copies while they fit, then the first characters of one.
                if (count + fillLength <= len) sb.Append(fill);
                else sb.Append(Strings.Sub(fill, 0, len - count));
                count = Math.Min(len, count + fillLength);
            }
            a[0] = Dynamic.FromString(sb.ToString());
            return Dynamic.Unit;
        }, true);
        Reg("truncate", 2, (c, a) =>
        {
            var n = Math.Max(0, Int(c, "truncate", a, 1));
            switch (a[0].Type)
            {
                case RhaiType.String:
                    a[0] = Dynamic.FromString(Strings.Sub(a[0].AsString, 0, n));
                    break;
                case RhaiType.Array:
                    var list = a[0].AsArray;
                    if (list.Count > n) list.RemoveRange((int)n, list.Count - (int)n);
                    break;
                case RhaiType.Blob:
                    var blob = a[0].AsBlob;
                    if (blob.Count > n) blob.RemoveRange((int)n, blob.Count - (int)n);
                    break;
                default:
                    throw NoMatch(c, "truncate", a);
            }
            return Dynamic.Unit;
        }, true);
        Reg("remove", 2, (c, a) =>
        {
            switch (a[0].Type)
            {
                case RhaiType.String:
                    a[0] = Dynamic.FromString(Strings.Replace(a[0].AsString, Text(c, "remove", a, 1), ""));
                    return Dynamic.Unit;
                case RhaiType.Array:
                    var list = a[0].AsArray;
                    if (ItemIndex(Int(c, "remove", a, 1), list.Count) is not { } i) return Dynamic.Unit;
                    var item = list[i];
                    list.RemoveAt(i);
                    return item;
                case RhaiType.Map:
                    var map = a[0].AsMap;
                    var key = Str(c, "remove", a, 1);
                    return map.Remove(key, out var v) ? v : Dynamic.Unit;
                case RhaiType.Blob:
                    var blob = a[0].AsBlob;
                    // As Rhai: 0 when there is no such byte.
                    if (ItemIndex(Int(c, "remove", a, 1), blob.Count) is not { } bi) return Dynamic.FromInt(0);
                    var b = blob[bi];
                    blob.RemoveAt(bi);
                    return Dynamic.FromInt(b);
            }
            throw NoMatch(c, "remove", a);
        }, true);
        Reg("get", 2, (c, a) =>
        {
            switch (a[0].Type)
            {
                case RhaiType.String:
                    var ch = Strings.CharAt(a[0].AsString, Int(c, "get", a, 1));
                    return ch is null ? Dynamic.Unit : Dynamic.FromChar(ch.Value);
                case RhaiType.Array:
                    // As Rhai (calc_offset_len): a negative index counts from the end, before the start is the first.
                    var list = a[0].AsArray;
                    var (i, _) = Extent(list.Count, Int(c, "get", a, 1), 0);
                    return i < list.Count ? list[i].Clone() : Dynamic.Unit;
                case RhaiType.Map:
                    return a[0].AsMap.TryGetValue(Str(c, "get", a, 1), out var v) ? v.Clone() : Dynamic.Unit;
                case RhaiType.Blob:
                    // As Rhai: 0 past the end, and a position before the start is the first byte.
                    var blob = a[0].AsBlob;
                    var (at, _) = Extent(blob.Count, Int(c, "get", a, 1), 0);
                    return Dynamic.FromInt(at < blob.Count ? blob[at] : 0);
            }
            throw NoMatch(c, "get", a);
        });
        Reg("is_digit", 1, (c, a) => a[0].Type == RhaiType.Char ? Dynamic.FromBool(a[0].AsChar is >= '0' and <= '9') : throw NoMatch(c, "is_digit", a));
        Reg("is_alphabetic", 1, (c, a) => a[0].Type == RhaiType.Char ? Dynamic.FromBool(char.IsLetter(char.ConvertFromUtf32(a[0].AsChar), 0)) : throw NoMatch(c, "is_alphabetic", a));
        Reg("is_whitespace", 1, (c, a) => a[0].Type == RhaiType.Char ? Dynamic.FromBool(char.IsWhiteSpace(char.ConvertFromUtf32(a[0].AsChar), 0)) : throw NoMatch(c, "is_whitespace", a));
    }

    // An index into an array or a blob, counted from the end when negative (-1 is the last item);
    // null when it falls outside.
    private static int? ItemIndex(long index, int count)
    {
        if (index < 0) index += count;
        return index >= 0 && index < count ? (int)index : null;
    }

    private static Dynamic StrList(IEnumerable<string> parts) => Dynamic.FromArray(parts.Select(Dynamic.FromString).ToList());

    // An array one element per piece or character is checked against the limit before it is built,
    // not after: a string of millions of characters would otherwise cost their array first.
    private static Dynamic Split(Ctx c, string s, string separator, long limit, bool fromEnd)
    {
        // As Rhai: an empty string is one empty piece, whatever the separator.
        if (s.Length == 0) return StrList([s]);
        CheckLen(c, Strings.SplitCount(s, separator, limit), array: true);
        return StrList(Strings.Split(s, separator, limit, fromEnd));
    }

    /// <summary>Rhai's <c>CharsStream</c>: <paramref name="len"/> characters from <paramref name="from"/>.</summary>
    private static Dynamic CharsOf(Ctx c, string s, long from, long len)
    {
        if (len <= 0) return Dynamic.FromArray([]);
        var cps = Strings.ToCodePoints(s);
        var start = from >= 0 ? Math.Min(from, cps.Length) : Math.Max(0, cps.Length + from);
        var count = Math.Min(len, cps.Length - start);
        CheckLen(c, count, array: true);
        return Dynamic.FromArray(cps.Skip((int)start).Take((int)count).Select(Dynamic.FromChar).ToList());
    }

    private static Dynamic CharList(Ctx c, string s)
    {
        CheckLen(c, Strings.Length(s), array: true);
        return Dynamic.FromArray(Strings.Chars(s).Select(Dynamic.FromChar).ToList());
    }

    private static void CheckLen(Ctx c, long len, bool array)
    {
        var o = c.R.Options;
        var max = array ? o.MaxArraySize : o.MaxStringSize;
        if (max > 0 && len > max)
        {
            throw c.Error(RhaiErrorKind.DataTooLarge, array ? "Size of array/BLOB too large" : "Length of string too large");
        }
        if (len > int.MaxValue / 4)
        {
            throw c.Error(RhaiErrorKind.DataTooLarge, array ? "Size of array/BLOB too large" : "Length of string too large");
        }
    }

    private static Dynamic IndexOf(Ctx c, Dynamic[] a, long start)
    {
        if (a[0].Type == RhaiType.String)
        {
            var cps = Strings.ToCodePoints(a[0].AsString);
            var needle = Strings.ToCodePoints(Text(c, "index_of", a, 1));
            // As Rhai: nothing is found in an empty string, nor from a start at or past its end.
            if (cps.Length == 0) return Dynamic.FromInt(-1);
            if (start < 0) start = Math.Max(0, cps.Length + start);
            else if (start >= cps.Length && start > 0) return Dynamic.FromInt(-1);
            for (var i = (int)start; i + needle.Length <= cps.Length; i++)
            {
                if (cps.AsSpan(i, needle.Length).SequenceEqual(needle)) return Dynamic.FromInt(i);
            }
            return Dynamic.FromInt(-1);
        }
        if (a[0].Type == RhaiType.Array)
        {
            var list = a[0].AsArray;
            if (start < 0) start = Math.Max(0, list.Count + start);
            if (start >= list.Count) return Dynamic.FromInt(-1);
            var fp = a[1].Type == RhaiType.FnPtr ? a[1].AsFnPtr : a[1].Type == RhaiType.String && c.R.Ast.HasFunction(a[1].AsString) ? new FnPtr(a[1].AsString, null, null, []) : null;
            for (var i = (int)start; i < list.Count; i++)
            {
                if (fp is not null)
                {
                    if (Yes(CallbackOn(c, fp, list, i))) return Dynamic.FromInt(i);
                }
                else if (Ops.Equal(list[i], a[1]))
                {
                    return Dynamic.FromInt(i);
                }
            }
            return Dynamic.FromInt(-1);
        }
        throw NoMatch(c, "index_of", a);
    }
}
