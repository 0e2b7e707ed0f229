using System.Globalization;
using System.Text;

namespace Gateway.Rhai;

internal enum TokenKind : byte
{
    Eof,
    Int,
    Float,
    String,
    Interpolated,
    Char,
    Ident,
    Punct,
}

internal sealed class Token(TokenKind kind, string text, int line, int column)
{
    public readonly TokenKind Kind = kind;
    public readonly string Text = text;
    public readonly int Line = line;
    public readonly int Column = column;
    public long IntValue;
    public double FloatValue;
    // Backtick strings: literal text parts and token lists of the ${...} parts, in order.
    public List<object>? Parts;
    // A decimal literal too large for INT keeps its digits so `-9223372036854775808` can still be an INT.
    public string? OverflowDigits;

    public bool Is(string punct) => Kind == TokenKind.Punct && Text == punct;
    public bool IsWord(string word) => Kind == TokenKind.Ident && Text == word;

    public override string ToString() => Text;
}

internal sealed class Lexer(string src)
{
    private static readonly string[] Puncts =
    [
        "..=", "...", "<<=", ">>=", "**=", "?.", "?[", "??", "::", "=>", "==", "!=", "<=", ">=", "&&", "||",
        "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<", ">>", "**", "..", "#{", "->",
        "+", "-", "*", "/", "%", "=", "<", ">", "!", "&", "|", "^", "(", ")", "[", "]", "{", "}", ",", ";", ":",
        ".", "?", "#", "@", "$", "~",
    ];

    private int pos;
    private int line = 1;
    private int col = 1;

    public static List<Token> Tokenize(string src)
    {
        var lexer = new Lexer(src);
        var tokens = new List<Token>();
        lexer.Run(tokens, untilCloseBrace: false);
        return tokens;
    }

    private static RhaiParseException Error(string message, int line, int column, string type = "BadInput") =>
        new(type, "Syntax error: " + message, line, column);

    private char Peek(int ahead = 0) => pos + ahead < src.Length ? src[pos + ahead] : '\0';

    private void Advance()
    {
        if (src[pos] == '\n')
        {
            line++;
            col = 1;
        }
        else if (!char.IsLowSurrogate(src[pos]))
        {
            col++;
        }
        pos++;
    }

    // Lexes tokens; inside ${...} stops at the brace that closes the interpolation.
    private void Run(List<Token> tokens, bool untilCloseBrace)
    {
        var depth = 0;
        while (true)
        {
            SkipTrivia();
            if (pos >= src.Length)
            {
                if (untilCloseBrace) throw Error("Unterminated string interpolation", line, col);
                tokens.Add(new Token(TokenKind.Eof, "<EOF>", line, col));
                return;
            }
            var c = src[pos];
            int l = line, cl = col;
            if (untilCloseBrace)
            {
                // A block or a map literal (`#{`) inside `${ … }` closes with its own brace.
                if (c == '{' || c == '#' && Peek(1) == '{') depth++;
                if (c == '}')
                {
                    if (depth == 0)
                    {
                        Advance();
                        tokens.Add(new Token(TokenKind.Eof, "}", l, cl));
                        return;
                    }
                    depth--;
                }
            }
            if (char.IsAsciiDigit(c))
            {
                tokens.Add(LexNumber());
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                // As Rhai without unicode-xid-ident: ASCII words; `_` alone is a token of its own
                // (the switch's default), other words need a letter before any digit.
                var start = pos;
                while (pos < src.Length && (char.IsAsciiLetterOrDigit(src[pos]) || src[pos] == '_')) Advance();
                var word = src[start..pos];
                if (word != "_" && !Parser.IsValidIdentifier(word))
                    throw Error($"Variable name is not proper: '{word}'", l, cl, "MalformedIdentifier");
                tokens.Add(new Token(TokenKind.Ident, word, l, cl));
            }
            else if (c == '"')
            {
                Advance();
                tokens.Add(new Token(TokenKind.String, LexString('"', l, cl), l, cl));
            }
            else if (c == '#' && (Peek(1) == '"' || Peek(1) == '#' && (Peek(2) == '"' || Peek(2) == '#')))
            {
                tokens.Add(LexRawString(l, cl));
            }
            else if (c == '`')
            {
                Advance();
                tokens.Add(LexBacktick(l, cl));
            }
            else if (c == '\'')
            {
                Advance();
                var text = LexString('\'', l, cl);
                var runes = text.EnumerateRunes().ToList();
                if (runes.Count != 1) throw Error($"Invalid character: '{text}'", l, cl);
                tokens.Add(new Token(TokenKind.Char, text, l, cl) { IntValue = runes[0].Value });
            }
            else
            {
                string? match = null;
                foreach (var p in Puncts)
                {
                    if (string.CompareOrdinal(src, pos, p, 0, p.Length) == 0)
                    {
                        match = p;
                        break;
                    }
                }
                if (match is null)
                    throw Error($"Unexpected '{(char.IsHighSurrogate(c) && pos + 1 < src.Length ? src.Substring(pos, 2) : c.ToString())}'", l, cl);
                for (var i = 0; i < match.Length; i++) Advance();
                tokens.Add(new Token(TokenKind.Punct, match, l, cl));
            }
        }
    }

    private void SkipTrivia()
    {
        while (pos < src.Length)
        {
            var c = src[pos];
            if (c is ' ' or '\t' or '\n' or '\r' or '\f') // Rust's ASCII white space, as Rhai skips
            {
                Advance();
            }
            else if (c == '/' && Peek(1) == '/')
            {
                while (pos < src.Length && src[pos] != '\n') Advance();
            }
            else if (c == '/' && Peek(1) == '*')
            {
                Advance();
                Advance();
                var depth = 1;
                while (depth > 0)
                {
                    if (pos >= src.Length) return; // as Rhai: an open comment runs to the end of the script
                    if (src[pos] == '/' && Peek(1) == '*')
                    {
                        Advance();
                        depth++;
                    }
                    else if (src[pos] == '*' && Peek(1) == '/')
                    {
                        Advance();
                        depth--;
                    }
                    Advance();
                }
            }
            else
            {
                return;
            }
        }
    }

    private Token LexNumber()
    {
        int l = line, cl = col;
        var start = pos;
        if (src[pos] == '0' && (Peek(1) is 'x' or 'X' or 'o' or 'O' or 'b' or 'B'))
        {
            var radix = char.ToLowerInvariant(Peek(1)) switch { 'x' => 16, 'o' => 8, _ => 2 };
            Advance();
            Advance();
            ulong value = 0;
            var any = false;
            while (pos < src.Length)
            {
                var d = src[pos];
                if (d == '_')
                {
                    Advance();
                    continue;
                }
                var digit = char.IsAsciiHexDigit(d) ? Convert.ToInt32(d.ToString(), 16) : -1;
                if (digit < 0 || digit >= radix) break;
                if (value > (ulong.MaxValue - (ulong)digit) / (ulong)radix)
                {
                    throw Error($"Invalid number: '{src[start..(pos + 1)]}'", l, cl, "MalformedNumber");
                }
                value = value * (ulong)radix + (ulong)digit;
                any = true;
                Advance();
            }
            if (!any) throw Error($"Invalid number: '{src[start..pos]}'", l, cl);
            return new Token(TokenKind.Int, src[start..pos], l, cl) { IntValue = unchecked((long)value) };
        }
        while (pos < src.Length && (char.IsAsciiDigit(src[pos]) || src[pos] == '_')) Advance();
        var isFloat = false;
        if (Peek() == '.' && char.IsAsciiDigit(Peek(1)))
        {
            isFloat = true;
            Advance();
            while (pos < src.Length && (char.IsAsciiDigit(src[pos]) || src[pos] == '_')) Advance();
        }
        else if (Peek() == '.' && Peek(1) != '.' && !char.IsLetter(Peek(1)) && Peek(1) != '_')
        {
            // `1.` is a float; `1..2` a range; `1.abs()` a method call.
            isFloat = true;
            Advance();
        }
        if ((Peek() is 'e' or 'E') && (char.IsAsciiDigit(Peek(1)) || (Peek(1) is '+' or '-') && char.IsAsciiDigit(Peek(2))))
        {
            isFloat = true;
            Advance();
            if (Peek() is '+' or '-') Advance();
            while (pos < src.Length && char.IsAsciiDigit(src[pos])) Advance();
        }
        var text = src[start..pos].Replace("_", "", StringComparison.Ordinal);
        if (isFloat)
        {
            var f = double.Parse(text.EndsWith('.') ? text + "0" : text, NumberStyles.Float, CultureInfo.InvariantCulture);
            return new Token(TokenKind.Float, text, l, cl) { FloatValue = f };
        }
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return new Token(TokenKind.Int, text, l, cl) { IntValue = n };
        }
        return new Token(TokenKind.Float, text, l, cl)
        {
            FloatValue = double.Parse(text, CultureInfo.InvariantCulture),
            OverflowDigits = text,
        };
    }

    private string LexString(char quote, int l, int cl)
    {
        var sb = new StringBuilder();
        while (true)
        {
            if (pos >= src.Length) throw Error("Open string is not terminated", l, cl, "UnknownOperator");
            var c = src[pos];
            if (c == quote && quote == '"' && Peek(1) == '"')
            {
                // `""` inside a string is one quote character.
                Advance();
                Advance();
                sb.Append('"');
                continue;
            }
            if (c == quote)
            {
                Advance();
                return sb.ToString();
            }
            if (c == '\n' && quote == '"')
            {
                throw Error("Open string is not terminated", l, cl);
            }
            if (c == '\\')
            {
                Advance();
                if (pos >= src.Length)
                {
                    // As Rhai: a line continuation at the very end closes the string.
                    if (quote == '"') return sb.ToString();
                    throw Error("Open string is not terminated", l, cl, "UnknownOperator");
                }
                var e = Peek();
                Advance();
                switch (e)
                {
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'r': sb.Append('\r'); break;
                    case '\\': sb.Append('\\'); break;
                    // Only the literal's own quote is escaped (tokenizer.rs): `\'` in a string is an error.
                    case '"' when quote == '"': sb.Append('"'); break;
                    case '\'' when quote == '\'': sb.Append('\''); break;
                    case 'x': sb.Append(HexEscape(2, l, cl)); break;
                    case 'u': sb.Append(HexEscape(4, l, cl)); break;
                    case 'U': sb.Append(HexEscape(8, l, cl)); break;
                    case '\n':
                        SkipContinuationIndent(cl);
                        break;
                    case '\r' when Peek() == '\n':
                        Advance();
                        SkipContinuationIndent(cl);
                        break;
                    default: throw Error($"Invalid escape sequence: '\\{e}'", l, cl, "MalformedEscapeSequence");
                }
                continue;
            }
            sb.Append(c);
            Advance();
        }
    }

    // A line continuation drops the newline and, as Rhai does, the next line's white space up to
    // the column of the string's opening quote; any beyond it stays in the string.
    private void SkipContinuationIndent(int quoteColumn)
    {
        while (pos < src.Length && col <= quoteColumn && src[pos] is not ('\n' or '\r') && char.IsWhiteSpace(src[pos])) Advance();
    }

    private string HexEscape(int digits, int l, int cl)
    {
        var start = pos;
        for (var i = 0; i < digits; i++)
        {
            if (!char.IsAsciiHexDigit(Peek())) throw Error("Invalid escape sequence", l, cl, "MalformedEscapeSequence");
            Advance();
        }
        var value = int.Parse(src.AsSpan(start, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        if (!Rune.IsValid(value)) throw Error("Invalid escape sequence", l, cl, "MalformedEscapeSequence");
        return char.ConvertFromUtf32(value);
    }

    private Token LexRawString(int l, int cl)
    {
        var hashes = 0;
        while (Peek() == '#')
        {
            hashes++;
            Advance();
        }
        if (Peek() != '"') throw Error("Invalid raw string", l, cl);
        Advance();
        var terminator = "\"" + new string('#', hashes);
        var end = src.IndexOf(terminator, pos, StringComparison.Ordinal);
        if (end < 0) throw Error("Open string is not terminated", l, cl, "UnknownOperator");
        var text = src[pos..end];
        while (pos < end + terminator.Length) Advance();
        return new Token(TokenKind.String, text, l, cl);
    }

    private Token LexBacktick(int l, int cl)
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Error("Expression exceeds maximum complexity", l, cl, "ExprTooDeep");
        }
        var parts = new List<object>();
        var sb = new StringBuilder();
        if (Peek() == '\r' && Peek(1) == '\n')
        {
            Advance();
            Advance();
        }
        else if (Peek() == '\n')
        {
            Advance();
        }
        while (true)
        {
            if (pos >= src.Length) throw Error("Open string is not terminated", l, cl, "UnknownOperator");
            var c = src[pos];
            if (c == '`' && Peek(1) == '`')
            {
                // A doubled back-tick is one back-tick character.
                Advance();
                Advance();
                sb.Append('`');
                continue;
            }
            if (c == '`')
            {
                Advance();
                break;
            }
            if (c == '\\' && Peek(1) == '$' && Peek(2) == '{')
            {
                // `\${` is the text `${`, not an interpolation.
                Advance();
                Advance();
                sb.Append('$');
                continue;
            }
            if (c == '\r' && Peek(1) == '\n')
            {
                Advance(); // a CRLF line ends as LF
                continue;
            }
            if (c == '$' && Peek(1) == '{')
            {
                Advance();
                Advance();
                parts.Add(sb.ToString());
                sb.Clear();
                var inner = new List<Token>();
                Run(inner, untilCloseBrace: true);
                parts.Add(inner);
                continue;
            }
            sb.Append(c);
            Advance();
        }
        parts.Add(sb.ToString());
        return new Token(TokenKind.Interpolated, "`", l, cl) { Parts = parts };
    }
}
