using System.Text;

namespace Gateway.Rhai;

/// <summary>Rhai strings are sequences of Unicode scalar values; .NET strings are UTF-16. These bridge the two.</summary>
internal static class Strings
{
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

    public static string Repeat(string s, long count)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++) sb.Append(s);
        return sb.ToString();
    }
}
