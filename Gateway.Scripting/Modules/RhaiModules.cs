using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Rhai;

namespace Gateway.Scripting.Modules;

/// <summary>
/// The domain modules as Rhai static modules: <c>calendar::create_event(#{ calendar_id: 1, … })</c>.
/// Names are snake case — functions, and map keys both ways — and a refusal is an error the
/// script's <c>try</c>/<c>catch</c> receives as its message string.
/// </summary>
internal static class RhaiModules
{
    /// <summary>
    /// The scope of the task running on this thread. The engine and its modules are shared by
    /// every run, and a Rhai evaluation (host calls included) runs on its caller's thread
    /// from start to end, so the thread tells a host function whose circle it works for.
    /// </summary>
    [ThreadStatic]
    private static ModuleScope? t_scope;

    public static void Register(RhaiEngine engine)
    {
        foreach (var module in DomainModules.All)
        {
            var rhai = new RhaiModule();
            foreach (var function in module.Functions)
            {
                for (var count = function.MinArgs; count <= function.MaxArgs; count++)
                    rhai.SetFunction(ModuleNaming.ToSnake(function.Name), count, args => Call(module, function, args));
            }
            engine.RegisterStaticModule(module.Name, rhai);
        }
    }

    /// <summary>Binds the modules to <paramref name="scope"/> on this thread until disposed.</summary>
    public static Binding Bind(ModuleScope scope)
    {
        var previous = t_scope;
        t_scope = scope;
        return new Binding(previous);
    }

    public readonly struct Binding(ModuleScope? previous) : IDisposable
    {
        public void Dispose() => t_scope = previous;
    }

    private static Dynamic Call(DomainModule module, ModuleFunction function, Dynamic[] args)
    {
        var scope = t_scope ?? throw new RhaiHostException($"the {module.Name} module is not available to this task.");
        string json;
        try
        {
            json = scope.Invoke(module, function, new ModuleArgs(args.Select(ToJson).ToArray()));
        }
        catch (ModuleException ex)
        {
            throw new RhaiHostException(ex.Message);
        }
        using var document = JsonDocument.Parse(json);
        return FromJson(document.RootElement);
    }

    /// <summary>A Rhai value as JSON, its map keys in camel case.</summary>
    private static JsonElement ToJson(Dynamic value)
    {
        if (value.IsUnit)
            return default;
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
            Write(writer, RhaiJson.ToJsonNode(value));
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonObject map:
                writer.WriteStartObject();
                foreach (var (key, value) in map)
                {
                    writer.WritePropertyName(ModuleNaming.ToCamel(key));
                    Write(writer, value);
                }
                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                    Write(writer, item);
                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    /// <summary>JSON as a Rhai value, object keys in snake case; integers stay INT.</summary>
    private static Dynamic FromJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var map = new RhaiMap();
                foreach (var property in element.EnumerateObject())
                    map[ModuleNaming.ToSnake(property.Name)] = FromJson(property.Value);
                return Dynamic.FromMap(map);
            case JsonValueKind.Array:
                var items = new List<Dynamic>(element.GetArrayLength());
                foreach (var item in element.EnumerateArray())
                    items.Add(FromJson(item));
                return Dynamic.FromArray(items);
            default:
                return RhaiJson.FromJson(element);
        }
    }
}
