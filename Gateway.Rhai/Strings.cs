using System.Collections.Frozen;
using System.Globalization;
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

    /// <summary>
    /// Upper case as Rust's <c>str::to_uppercase</c>: the full mapping, where one character may
    /// become several (ß → SS, ﬁ → FI), and ı → I, which .NET's invariant casing leaves alone.
    /// </summary>
    public static string ToUpper(string s)
    {
        if (System.Text.Ascii.IsValid(s)) return s.ToUpperInvariant();
        var sb = new StringBuilder(s.Length);
        var rest = s.AsSpan();
        while (!rest.IsEmpty)
        {
            Rune.DecodeFromUtf16(rest, out var rune, out var used);
            rest = rest[used..];
            if (SpecialUpper.TryGetValue(rune.Value, out var several)) sb.Append(several);
            else Append(sb, UpperChar(rune.Value));
        }
        return sb.ToString();
    }

    /// <summary>
    /// Lower case as Rust's <c>str::to_lowercase</c>: İ → i̇ (two characters), and Σ → ς at the end
    /// of a word (Unicode's Final_Sigma), σ elsewhere.
    /// </summary>
    public static string ToLower(string s)
    {
        if (System.Text.Ascii.IsValid(s)) return s.ToLowerInvariant();
        var sb = new StringBuilder(s.Length);
        for (var at = 0; at < s.Length;)
        {
            Rune.DecodeFromUtf16(s.AsSpan(at), out var rune, out var used);
            if (rune.Value == 0x130) sb.Append("i\u0307");
            else if (rune.Value == 0x3A3) sb.Append(IsFinalSigma(s, at, used) ? '\u03C2' : '\u03C3');
            else Append(sb, LowerChar(rune.Value));
            at += used;
        }
        return sb.ToString();
    }

    /// <summary>One character in upper case, as Rhai's <c>to_upper</c> of a char: unchanged where Rust's mapping gives several.</summary>
    public static int UpperChar(int c) =>
        c == 0x131 ? 'I' : SpecialUpper.ContainsKey(c) || !Rune.IsValid(c) ? c : Rune.ToUpperInvariant(new Rune(c)).Value;

    /// <summary>One character in lower case, as Rhai's <c>to_lower</c> of a char: İ, whose mapping is two characters, stays.</summary>
    public static int LowerChar(int c) => c == 0x130 || !Rune.IsValid(c) ? c : Rune.ToLowerInvariant(new Rune(c)).Value;

    private static void Append(StringBuilder sb, int c)
    {
        if (c < 0x10000) sb.Append((char)c);
        else sb.Append(char.ConvertFromUtf32(c));
    }

    /// <summary>
    /// Unicode's Final_Sigma for the Σ at <paramref name="at"/>: a cased letter before it and none
    /// after it, passing over case-ignorable characters either way (as Rust's <c>to_lowercase</c>).
    /// </summary>
    private static bool IsFinalSigma(string s, int at, int length)
    {
        var before = s.AsSpan(0, at);
        var casedBefore = false;
        while (!before.IsEmpty)
        {
            Rune.DecodeLastFromUtf16(before, out var rune, out var used);
            before = before[..^used];
            if (IsCaseIgnorable(rune.Value)) continue;
            casedBefore = IsCased(rune.Value);
            break;
        }
        if (!casedBefore) return false;
        var after = s.AsSpan(at + length);
        while (!after.IsEmpty)
        {
            Rune.DecodeFromUtf16(after, out var rune, out var used);
            after = after[used..];
            if (IsCaseIgnorable(rune.Value)) continue;
            return !IsCased(rune.Value);
        }
        return true;
    }

    // Unicode's Cased: the letter categories with case, and the Other_Lowercase/Other_Uppercase
    // characters outside them (ª, º, Roman numerals, circled and squared Latin letters).
    private static bool IsCased(int c) =>
        CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
        || c is 0xAA or 0xBA or >= 0x2160 and <= 0x217F or >= 0x24B6 and <= 0x24E9
            or >= 0x1F130 and <= 0x1F149 or >= 0x1F150 and <= 0x1F169 or >= 0x1F170 and <= 0x1F189;

    // Unicode's Case_Ignorable: marks, format characters, modifier letters and symbols, and the
    // apostrophes, full stops and colons that may stand inside a word.
    private static bool IsCaseIgnorable(int c) =>
        CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol
        || c is 0x27 or 0x2E or 0x3A or 0xB7 or 0x387 or 0x55F or 0x5F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027
            or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A;

    /// <summary>The characters whose upper case is several characters (Unicode's SpecialCasing, unconditional).</summary>
    private static readonly FrozenDictionary<int, string> SpecialUpper = new Dictionary<int, string>
    {
        [0x00DF] = "\u0053\u0053", [0x0149] = "\u02BC\u004E", [0x01F0] = "\u004A\u030C",
        [0x0390] = "\u0399\u0308\u0301", [0x03B0] = "\u03A5\u0308\u0301", [0x0587] = "\u0535\u0552",
        [0x1E96] = "\u0048\u0331", [0x1E97] = "\u0054\u0308", [0x1E98] = "\u0057\u030A",
        [0x1E99] = "\u0059\u030A", [0x1E9A] = "\u0041\u02BE", [0x1F50] = "\u03A5\u0313",
        [0x1F52] = "\u03A5\u0313\u0300", [0x1F54] = "\u03A5\u0313\u0301",
        [0x1F56] = "\u03A5\u0313\u0342", [0x1F80] = "\u1F08\u0399", [0x1F81] = "\u1F09\u0399",
        [0x1F82] = "\u1F0A\u0399", [0x1F83] = "\u1F0B\u0399", [0x1F84] = "\u1F0C\u0399",
        [0x1F85] = "\u1F0D\u0399", [0x1F86] = "\u1F0E\u0399", [0x1F87] = "\u1F0F\u0399",
        [0x1F88] = "\u1F08\u0399", [0x1F89] = "\u1F09\u0399", [0x1F8A] = "\u1F0A\u0399",
        [0x1F8B] = "\u1F0B\u0399", [0x1F8C] = "\u1F0C\u0399", [0x1F8D] = "\u1F0D\u0399",
        [0x1F8E] = "\u1F0E\u0399", [0x1F8F] = "\u1F0F\u0399", [0x1F90] = "\u1F28\u0399",
        [0x1F91] = "\u1F29\u0399", [0x1F92] = "\u1F2A\u0399", [0x1F93] = "\u1F2B\u0399",
        [0x1F94] = "\u1F2C\u0399", [0x1F95] = "\u1F2D\u0399", [0x1F96] = "\u1F2E\u0399",
        [0x1F97] = "\u1F2F\u0399", [0x1F98] = "\u1F28\u0399", [0x1F99] = "\u1F29\u0399",
        [0x1F9A] = "\u1F2A\u0399", [0x1F9B] = "\u1F2B\u0399", [0x1F9C] = "\u1F2C\u0399",
        [0x1F9D] = "\u1F2D\u0399", [0x1F9E] = "\u1F2E\u0399", [0x1F9F] = "\u1F2F\u0399",
        [0x1FA0] = "\u1F68\u0399", [0x1FA1] = "\u1F69\u0399", [0x1FA2] = "\u1F6A\u0399",
        [0x1FA3] = "\u1F6B\u0399", [0x1FA4] = "\u1F6C\u0399", [0x1FA5] = "\u1F6D\u0399",
        [0x1FA6] = "\u1F6E\u0399", [0x1FA7] = "\u1F6F\u0399", [0x1FA8] = "\u1F68\u0399",
        [0x1FA9] = "\u1F69\u0399", [0x1FAA] = "\u1F6A\u0399", [0x1FAB] = "\u1F6B\u0399",
        [0x1FAC] = "\u1F6C\u0399", [0x1FAD] = "\u1F6D\u0399", [0x1FAE] = "\u1F6E\u0399",
        [0x1FAF] = "\u1F6F\u0399", [0x1FB2] = "\u1FBA\u0399", [0x1FB3] = "\u0391\u0399",
        [0x1FB4] = "\u0386\u0399", [0x1FB6] = "\u0391\u0342", [0x1FB7] = "\u0391\u0342\u0399",
        [0x1FBC] = "\u0391\u0399", [0x1FC2] = "\u1FCA\u0399", [0x1FC3] = "\u0397\u0399",
        [0x1FC4] = "\u0389\u0399", [0x1FC6] = "\u0397\u0342", [0x1FC7] = "\u0397\u0342\u0399",
        [0x1FCC] = "\u0397\u0399", [0x1FD2] = "\u0399\u0308\u0300", [0x1FD3] = "\u0399\u0308\u0301",
        [0x1FD6] = "\u0399\u0342", [0x1FD7] = "\u0399\u0308\u0342", [0x1FE2] = "\u03A5\u0308\u0300",
        [0x1FE3] = "\u03A5\u0308\u0301", [0x1FE4] = "\u03A1\u0313", [0x1FE6] = "\u03A5\u0342",
        [0x1FE7] = "\u03A5\u0308\u0342", [0x1FF2] = "\u1FFA\u0399", [0x1FF3] = "\u03A9\u0399",
        [0x1FF4] = "\u038F\u0399", [0x1FF6] = "\u03A9\u0342", [0x1FF7] = "\u03A9\u0342\u0399",
        [0x1FFC] = "\u03A9\u0399", [0xFB00] = "\u0046\u0046", [0xFB01] = "\u0046\u0049",
        [0xFB02] = "\u0046\u004C", [0xFB03] = "\u0046\u0046\u0049", [0xFB04] = "\u0046\u0046\u004C",
        [0xFB05] = "\u0053\u0054", [0xFB06] = "\u0053\u0054", [0xFB13] = "\u0544\u0546",
        [0xFB14] = "\u0544\u0535", [0xFB15] = "\u0544\u053B", [0xFB16] = "\u054E\u0546",
        [0xFB17] = "\u0544\u053D"
    }.ToFrozenDictionary();

    /// <summary>
    /// A value as text joined to a string (<c>+</c>, <c>+=</c>, <c>append</c>): a blob's bytes
    /// decoded as UTF-8, each invalid sequence a U+FFFD, as Rhai decodes them; anything else as it prints.
    /// </summary>
    public static string JoinedText(Dynamic value) =>
        value.Type == RhaiType.Blob
            ? Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(value.AsBlob))
            : value.ToString();

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
