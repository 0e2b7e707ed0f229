using System.Text;

namespace Gateway.Scripting.Sandbox;

/// <summary>What a script prints, one line per call, cut at a limit with a visible marker.</summary>
internal sealed class OutputBuffer(int maxChars)
{
    public const string TruncatedMarker = "…[output truncated]";

    private readonly StringBuilder _text = new();
    private bool _truncated;

    public void WriteLine(string line)
    {
        if (_truncated)
            return;
        var needed = line.Length + (_text.Length > 0 ? 1 : 0);
        if (_text.Length + needed > maxChars)
        {
            var room = maxChars - _text.Length - (_text.Length > 0 ? 1 : 0);
            if (_text.Length > 0)
                _text.Append('\n');
            if (room > 0)
                _text.Append(line, 0, room);
            _text.Append('\n').Append(TruncatedMarker);
            _truncated = true;
            return;
        }
        if (_text.Length > 0)
            _text.Append('\n');
        _text.Append(line);
    }

    public override string ToString() => _text.ToString();
}
