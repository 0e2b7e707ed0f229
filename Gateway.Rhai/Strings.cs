using System.Text;

namespace Gateway.Rhai;

/// <summary>Rhai strings are sequences of Unicode scalar values; .NET strings are UTF-16. These bridge the two.</summary>
internal static class Strings
{
    /// <summary>
    /// Rhai's order of strings: by Unicode scalar value, as Rust compares UTF-8 bytes. UTF-16's
    /// ordinal order differs only where a character beyond U+FFFF (a surrogate pair, from U+D800)
    /// meets one from U+E000 to U+FFFF: the pair is the larger in Rhai.
    /// </summary>
    public static readonly IComparer<string> CodePointOrder = new CodePointComparer();

    private sealed class CodePointComparer : IComparer<string>
    {
        public int Compare(string? x, string? y)
        {
            // A map's keys are never null. Below U+D800 both orders agree, and most keys differ at
            // their first character: settled without a call.
            if (x!.Length != 0 && y!.Length != 0)
            {
                int a = x[0], b = y[0];
                if (a != b && (a | b) < 0xD800) return a - b;
            }
            return Strings.Compare(x, y);
        }
    }

    public static int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        // Most keys differ at their first character; look for the first difference only when not.
        var i = x.Length != 0 && y.Length != 0 && x[0] != y[0] ? 0 : x.AsSpan().CommonPrefixLength(y);
        if (i == x.Length || i == y.Length) return x.Length - y.Length;
        int a = x[i], b = y[i];
        if (a >= 0xD800 && b >= 0xD800)
        {
            // Surrogates (D800–DFFF) move above E000–FFFF; the rest keep their order.
            a = a >= 0xE000 ? a - 0x800 : a + 0x2000;
            b = b >= 0xE000 ? b - 0x800 : b + 0x2000;
        }
        return a - b;
    }

    public static bool IsBmp(string s)
    {
        foreach (var c in s)
        {
            if (char.IsSurrogate(c)) return false;
        }
        return true;
    }

    public static int Length(string s) => IsBmp(s) ? s.Length : s.EnumerateRunes().Count();

    public static IEnumerable<int> Chars(string s)
    {
        foreach (var r in s.EnumerateRunes()) yield return r.Value;
    }

    public static int[] ToCodePoints(string s) => IsBmp(s) ? s.Select(c => (int)c).ToArray() : Chars(s).ToArray();

    public static string FromCodePoints(IEnumerable<int> cps)
    {
        var sb = new StringBuilder();
        foreach (var cp in cps) sb.Append(char.ConvertFromUtf32(cp));
        return sb.ToString();
    }

    // The char at a code-point index (negative counts from the end); null when out of bounds.
    public static int? CharAt(string s, long index)
    {
        if (IsBmp(s))
        {
            if (index < 0) index += s.Length;
            return index >= 0 && index < s.Length ? s[(int)index] : null;
        }
        var cps = ToCodePoints(s);
        if (index < 0) index += cps.Length;
        return index >= 0 && index < cps.Length ? cps[index] : null;
    }

    // Rhai's (start, len) with negative start from the end and clamping.
    public static string Sub(string s, long start, long len)
    {
        var cps = ToCodePoints(s);
        var n = cps.Length;
        if (start < 0) start = Math.Max(0, n + start);
        if (start >= n || len <= 0) return "";
        var end = len >= n - start ? n : start + len;
        return FromCodePoints(cps[(int)start..(int)end]);
    }

    /// <summary>
    /// Rust's <c>splitn</c> (or <c>rsplitn</c>, pieces from the end): at most <paramref name="limit"/>
    /// pieces, the last holding the rest. An empty <paramref name="separator"/> matches before every
    /// character and at the end, so <c>"ab"</c> splits into <c>"", "a", "b", ""</c>.
    /// </summary>
    public static List<string> Split(string s, string separator, long limit, bool fromEnd)
    {
        if (limit <= 1) return [s];
        if (separator.Length == 0)
        {
            var chars = Chars(s).Select(char.ConvertFromUtf32).ToList();
            if (fromEnd) chars.Reverse();
            var taken = (int)Math.Min(chars.Count, limit - 2);
            var rest = chars.Skip(taken);
            return ["", .. chars.Take(taken), string.Concat(fromEnd ? rest.Reverse() : rest)];
        }
        // Each piece is cut from the whole string once: no copy of what remains per piece.
        var pieces = new List<string>();
        if (!fromEnd)
        {
            var start = 0;
            for (int at; pieces.Count < limit - 1 && (at = s.IndexOf(separator, start, StringComparison.Ordinal)) >= 0; start = at + separator.Length)
                pieces.Add(s[start..at]);
            pieces.Add(s[start..]);
        }
        else
        {
            var end = s.Length;
            for (int at; pieces.Count < limit - 1 && end > 0 && (at = s.LastIndexOf(separator, end - 1, end, StringComparison.Ordinal)) >= 0; end = at)
                pieces.Add(s[(at + separator.Length)..end]);
            pieces.Add(s[..end]);
        }
        return pieces;
    }

    /// <summary>How many pieces <see cref="Split"/> makes, counted without making them.</summary>
    public static long SplitCount(string s, string separator, long limit)
    {
        long matches = 0;
        if (separator.Length == 0) matches = Length(s) + 1;
        else
        {
            for (var at = s.IndexOf(separator, StringComparison.Ordinal); at >= 0 && matches < limit; at = s.IndexOf(separator, at + separator.Length, StringComparison.Ordinal))
                matches++;
        }
        return Math.Min(limit, matches + 1);
    }

    /// <summary>Rust's <c>str::replace</c>: an empty <paramref name="find"/> matches before every character and at the end.</summary>
    public static string Replace(string s, string find, string with)
    {
        if (find.Length > 0) return s.Replace(find, with, StringComparison.Ordinal);
        var sb = new StringBuilder(with);
        foreach (var cp in ToCodePoints(s)) sb.Append(char.ConvertFromUtf32(cp)).Append(with);
        return sb.ToString();
    }
}
