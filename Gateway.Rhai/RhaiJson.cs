using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Rhai;

/// <summary>
/// Rhai values to and from JSON: <c>()</c> is null, INT an exact 64-bit integer, FLOAT a number
/// (NaN and infinities as strings), a char a one-character string, timestamps ISO 8601, blobs
/// arrays of bytes. From JSON, integers stay INT, other numbers become FLOAT, objects maps.
/// </summary>
public static class RhaiJson
{
    /// <summary>The JSON form of a Rhai value.</summary>
    public static JsonNode? ToJsonNode(Dynamic value)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (value.Type)
        {
            case RhaiType.Unit: return null;
            case RhaiType.Bool: return JsonValue.Create(value.AsBool);
            case RhaiType.Int: return JsonValue.Create(value.AsInt);
            case RhaiType.Float:
                var d = value.AsFloat;
                return double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(Formatter.DisplayFloat(d));
            case RhaiType.Char: return JsonValue.Create(char.ConvertFromUtf32(value.AsChar));
            case RhaiType.String: return JsonValue.Create(value.AsString);
            case RhaiType.Array:
                var array = new JsonArray();
                foreach (var item in value.AsArray) array.Add(ToJsonNode(item));
                return array;
            case RhaiType.Map:
                var obj = new JsonObject();
                foreach (var (k, v) in value.AsMap) obj[k] = ToJsonNode(v);
                return obj;
            case RhaiType.Blob:
                var bytes = new JsonArray();
                foreach (var b in value.AsBlob) bytes.Add(JsonValue.Create((int)b));
                return bytes;
            case RhaiType.Timestamp:
                var clock = TimeProvider.System;
                var elapsed = clock.GetElapsedTime(value.Bits);
                return JsonValue.Create((clock.GetUtcNow() - elapsed).ToString("O", CultureInfo.InvariantCulture));
            case RhaiType.FnPtr:
                var fp = value.AsFnPtr;
                if (fp.Curried.Length == 0) return JsonValue.Create(fp.Name);
                var parts = new JsonArray { JsonValue.Create(fp.Name) };
                foreach (var c in fp.Curried) parts.Add(ToJsonNode(c));
                return parts;
            case RhaiType.Shared: return ToJsonNode(((SharedCell)value.Obj!).Value);
            default: return JsonValue.Create(value.ToString());
        }
    }

    /// <summary>The compact JSON text of a Rhai value (standard JSON, as the host reads results; a script's <c>to_json</c> writes Rhai's own form).</summary>
    public static string ToJsonString(Dynamic value) => ToJsonNode(value)?.ToJsonString() ?? "null";

    /// <summary>The Rhai value of a JSON element.</summary>
    public static Dynamic FromJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined: return Dynamic.Unit;
            case JsonValueKind.True: return Dynamic.True;
            case JsonValueKind.False: return Dynamic.False;
            case JsonValueKind.String: return Dynamic.FromString(element.GetString()!);
            case JsonValueKind.Number:
                return element.TryGetInt64(out var i) ? Dynamic.FromInt(i) : Dynamic.FromFloat(element.GetDouble());
            case JsonValueKind.Array:
                var list = new List<Dynamic>(element.GetArrayLength());
                foreach (var item in element.EnumerateArray()) list.Add(FromJson(item));
                return Dynamic.FromArray(list);
            default:
                var map = new RhaiMap();
                foreach (var prop in element.EnumerateObject()) map[prop.Name] = FromJson(prop.Value);
                return Dynamic.FromMap(map);
        }
    }

    /// <summary>The Rhai value of a JSON node (null is <c>()</c>).</summary>
    public static Dynamic FromJsonNode(JsonNode? node)
    {
        if (node is null) return Dynamic.Unit;
        using var doc = JsonDocument.Parse(node.ToJsonString());
        return FromJson(doc.RootElement);
    }

    /// <summary>Parses JSON text into a Rhai value.</summary>
    public static Dynamic FromJsonString(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return FromJson(doc.RootElement);
    }
}
