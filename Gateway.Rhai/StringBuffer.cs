namespace Gateway.Rhai;

/// <summary>
/// The text behind a string grown by <c>+=</c> or <c>append</c>. Rhai appends to a string in
/// place, so a script that builds a string piece by piece spends time in proportion to its
/// length; concatenating .NET strings would copy the whole text at every step, its square.
/// Several values may share one buffer, each seeing the prefix its own length gives (the length
/// lives in the value), so a copy taken before an append never sees it. Only the value that ends
/// where the buffer's text ends may append in place, and only in the run that made the buffer:
/// any other value copies first.
/// </summary>
internal sealed class StringBuffer
{
    private char[] _chars;
    private int _used;
    private string? _text;
    private readonly Runtime _owner;

    private StringBuffer(Runtime owner, int capacity)
    {
        _owner = owner;
        _chars = new char[capacity];
    }

    /// <summary><paramref name="current"/> (a string) followed by <paramref name="tail"/>, within the run's string limit.</summary>
    public static Dynamic Append(Runtime r, Dynamic current, string tail, int line, int col)
    {
        var length = current.StringLength;
        var needed = (long)length + tail.Length;
        r.CheckStringLength(needed, line, col);
        if (tail.Length == 0) return current;
        if (current.Obj is not StringBuffer buffer || buffer._used != length || buffer._owner != r)
        {
            var text = current.AsString;
            buffer = new StringBuffer(r, Capacity(r, needed, Math.Max(16, 2 * needed)));
            text.CopyTo(buffer._chars);
            buffer._used = length;
        }
        buffer.Add(tail, r);
        return new Dynamic(RhaiType.String, buffer._used, buffer);
    }

    /// <summary>Room for <paramref name="wanted"/> characters, but never past what the run's string limit lets a string hold.</summary>
    private static int Capacity(Runtime r, long needed, long wanted)
    {
        var most = r.Options.MaxStringSize > 0 ? Math.Max(needed, r.Options.MaxStringSize) : Array.MaxLength;
        return (int)Math.Min(Math.Min(wanted, most), Array.MaxLength);
    }

    private void Add(string tail, Runtime r)
    {
        var needed = _used + tail.Length;
        if (needed > _chars.Length)
        {
            Array.Resize(ref _chars, Capacity(r, needed, Math.Max(needed, 2L * _chars.Length)));
        }
        tail.CopyTo(_chars.AsSpan(_used));
        _used = needed;
        _text = null;
    }

    /// <summary>The first <paramref name="length"/> characters; the whole text is made once per length.</summary>
    public string Text(int length) =>
        length == _used ? _text ??= new string(_chars, 0, _used) : new string(_chars, 0, length);
}
