using System.Text.Json;
using Jint;
using Jint.Native;
using Jint.Native.Json;

namespace Gateway.Scripting.Sandbox;

/// <summary>
/// A task's <c>args</c> as values of its engine: what <c>JSON.parse</c> gives for the same text —
/// members in their order, a repeated name keeping its first place and its last value,
/// <c>__proto__</c> an own property, numbers as doubles (<c>-0</c> and beyond-range included).
/// Read with System.Text.Json rather than the engine's parser, whose tables cost some 7 KB
/// and microseconds per parse for args of a few bytes (docs/BENCHMARKS.md). Text the two read
/// differently (a lone surrogate escaped in a string, nesting past the limit) goes to the
/// engine's parser, which decides as <c>JSON.parse</c> does.
/// </summary>
internal static class TaskArgs
{
    private static readonly JsonDocumentOptions Reading = new() { MaxDepth = SandboxOptions.JsonParseDepth };

    public static JsValue Parse(Engine engine, string json) => Read(engine, json) ?? new JsonParser(engine).Parse(json);

    /// <summary>The args read with System.Text.Json; null for text it reads differently from <c>JSON.parse</c>, or not at all.</summary>
    internal static JsValue? Read(Engine engine, string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, Reading);
            return ToValue(engine, document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static JsValue ToValue(Engine engine, JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => ToObject(engine, element),
        JsonValueKind.Array => ToArray(engine, element),
        JsonValueKind.String => JsString.Create(element.GetString()!),
        // Out of range reads as ±Infinity, as in JSON.parse; -0 stays -0.
        JsonValueKind.Number => JsNumber.Create(element.GetDouble()),
        JsonValueKind.True => JsBoolean.True,
        JsonValueKind.False => JsBoolean.False,
        _ => JsValue.Null,
    };

    private static JsObject ToObject(Engine engine, JsonElement element)
    {
        var target = new JsObject(engine);
        foreach (var member in element.EnumerateObject())
            target.CreateDataProperty(member.Name, ToValue(engine, member.Value));
        return target;
    }

    private static JsArray ToArray(Engine engine, JsonElement element)
    {
        var items = new JsValue[element.GetArrayLength()];
        var i = 0;
        foreach (var item in element.EnumerateArray())
            items[i++] = ToValue(engine, item);
        return new JsArray(engine, items);
    }
}
