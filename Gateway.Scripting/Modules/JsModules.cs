using System.Text.Json;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace Gateway.Scripting.Modules;

/// <summary>
/// The domain modules as JavaScript globals (<c>calendar</c>, <c>flow</c>, <c>legal</c>): frozen
/// objects of host functions bound to the task's <see cref="ModuleScope"/>. Arguments go in as
/// JSON, results come back as plain JS values parsed in this engine; a refusal is a JS Error.
/// </summary>
internal static class JsModules
{
    /// <summary>Each module is a global built the first time a script reads it (<see cref="Sandbox.LazyGlobal"/>).</summary>
    public static void Install(Engine engine, ModuleScope scope)
    {
        foreach (var module in DomainModules.All)
            Sandbox.LazyGlobal.Define(engine, module.Name, () => Build(engine, scope, module));
    }

    private static JsObject Build(Engine engine, ModuleScope scope, DomainModule module)
    {
        var target = new JsObject(engine);
        foreach (var function in module.Functions)
        {
            var host = new ClrFunction(engine, function.Name, (_, args) => Call(engine, scope, module, function, args));
            target.FastSetProperty(function.Name, new PropertyDescriptor(host, writable: false, enumerable: true, configurable: false));
        }
        target.PreventExtensions();
        return target;
    }

    private static JsValue Call(Engine engine, ModuleScope scope, DomainModule module, ModuleFunction function, JsValue[] args)
    {
        string json;
        try
        {
            var values = new JsonElement[args.Length];
            for (var i = 0; i < args.Length; i++)
                values[i] = ToJson(engine, args[i]);
            json = scope.Invoke(module, function, new ModuleArgs(values));
        }
        catch (ModuleException ex)
        {
            throw new JavaScriptException(engine.Construct("Error", new JsString(ex.Message)));
        }
        return new JsonParser(engine).Parse(json);
    }

    /// <summary>
    /// A JS value as JSON, as <c>JSON.stringify</c> writes it (so a lone surrogate is escaped, not
    /// lost); <c>undefined</c>, and what JSON drops (functions, symbols), is an absent argument.
    /// </summary>
    private static JsonElement ToJson(Engine engine, JsValue value)
    {
        if (value.IsUndefined() || new Jint.Native.Json.JsonSerializer(engine).Serialize(value) is not { } json || !json.IsString())
            return default;
        var text = json.AsString();
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw ModuleScope.Invalid("an argument is nested too deeply.");
        }
    }
}
