using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Gateway.Api.Apis;

/// <summary>
/// JSON the service stored — a script's result, a task's args, a module's entity — as an element
/// the API can write. JSON allows an escaped UTF-16 surrogate on its own (<c>"\ud800"</c>, which
/// <c>JSON.stringify</c> writes for a string holding one); System.Text.Json reads it but cannot
/// write it back, which would fail every response that shows it. Such a surrogate is read as
/// U+FFFD, the replacement character, as a UTF-8 encoder writes it.
/// </summary>
internal static class StoredJson
{
    private const string Replacement = "\\ufffd";

    public static JsonElement ToElement(string json) =>
        JsonSerializer.Deserialize<JsonElement>(json.Contains("\\u", StringComparison.Ordinal) ? WellFormed(json) : json);

    /// <summary><paramref name="json"/> with every escaped surrogate that is not half of a pair replaced.</summary>
    internal static string WellFormed(string json)
    {
        StringBuilder? fixedText = null;
        var copied = 0;
        for (var i = 0; i < json.Length - 1; i++)
        {
            if (json[i] != '\\')
                continue;
            if (json[i + 1] != 'u' || !TryUnit(json, i, out var unit))
            {
                i++; // an escape of one character (\\, \", \n …): its second character is not a backslash that starts one
                continue;
            }
            if (char.IsHighSurrogate(unit) && TryUnit(json, i + 6, out var low) && char.IsLowSurrogate(low))
            {
                i += 11; // a pair: both stand
                continue;
            }
            if (char.IsSurrogate(unit))
            {
                fixedText ??= new StringBuilder(json.Length);
                fixedText.Append(json, copied, i - copied).Append(Replacement);
                copied = i + 6;
            }
            i += 5;
        }
        return fixedText is null ? json : fixedText.Append(json, copied, json.Length - copied).ToString();
    }

    /// <summary>The code unit of a <c>\uXXXX</c> escape at <paramref name="at"/>.</summary>
    private static bool TryUnit(string json, int at, out char unit)
    {
        unit = default;
        if (at + 6 > json.Length || json[at] != '\\' || json[at + 1] != 'u'
            || !ushort.TryParse(json.AsSpan(at + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            return false;
        unit = (char)value;
        return true;
    }
}
