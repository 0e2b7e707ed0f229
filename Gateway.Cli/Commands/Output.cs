using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gateway.Cli.Commands;

/// <summary>
/// Where things go: results and data on standard output, the script's output and every message
/// for people on standard error, so <c>x=$(gw run …)</c> captures the result alone.
/// </summary>
internal static class Output
{
    /// <summary>
    /// Indented, and text as it is (é, not \u00E9): this JSON goes to a terminal or a pipe, never
    /// into HTML, so only what JSON itself requires is escaped.
    /// </summary>
    private static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Plain for a string, number, boolean or null; indented JSON for an array or object.</summary>
    public static void Result(JsonElement? result)
    {
        if (result is not { } value)
        {
            Console.Out.WriteLine("null");
            return;
        }
        Console.Out.WriteLine(value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object or JsonValueKind.Array => JsonSerializer.Serialize(value, Indented),
            _ => value.GetRawText(),
        });
    }

    public static void Json<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Indented));

    /// <summary>The value as JSON when it was asked for with <c>--json</c>, else as <paramref name="plain"/> prints it.</summary>
    public static void JsonOr<T>(bool json, T value, Action<T> plain)
    {
        if (json)
            Json(value);
        else
            plain(value);
    }

    /// <summary>A script's text as it is, ended by a newline, so that it can be saved to a file and run again.</summary>
    public static void ScriptText(string script)
    {
        Console.Out.Write(script);
        if (script.Length > 0 && !script.EndsWith('\n'))
            Console.Out.WriteLine();
    }

    public static void ScriptOutput(GatewayTask task)
    {
        if (task.Output.Length == 0)
            return;
        Console.Error.Write(task.Output);
        if (!task.Output.EndsWith('\n'))
            Console.Error.WriteLine();
    }

    public static void Error(TaskError? error)
    {
        if (error is null)
        {
            Console.Error.WriteLine("error: the task failed");
            return;
        }
        var where = error.Line is { } line ? error.Column is { } column ? $" (line {line}, column {column})" : $" (line {line})" : "";
        Console.Error.WriteLine($"error: {error.Code}{where}: {error.Message}");
    }

    public static string Time(DateTimeOffset? time) =>
        time?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    /// <summary>Columns padded to their widest cell.</summary>
    public static void Table(string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
            Console.Out.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
    }
}
