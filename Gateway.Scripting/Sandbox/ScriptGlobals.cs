using System.Globalization;
using System.Text;
using Gateway.Core.Queueing;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Native.Object;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace Gateway.Scripting.Sandbox;

/// <summary>
/// The globals of a task: <c>args</c>, <c>task</c>, <c>console</c> and <c>print</c>. Everything
/// handed in is a plain JS value built in this engine — never a wrapped .NET object.
/// </summary>
internal static class ScriptGlobals
{
    public static void Install(Engine engine, ClaimedTask task, OutputBuffer output)
    {
        engine.SetValue("args", TaskArgs.Parse(engine, task.ArgsJson));

        // Frozen (read-only, not extensible): a script cannot rewrite what the host handed in.
        var info = new JsObject(engine);
        ReadOnly(info, "id", task.Id);
        ReadOnly(info, "circle", task.Circle);
        ReadOnly(info, "caller", task.Record.Caller is null ? JsValue.Null : new JsString(task.Record.Caller));
        ReadOnly(info, "attempt", task.Attempt);
        info.PreventExtensions();
        engine.SetValue("task", info);

        LazyGlobal.Define(engine, "console", () =>
        {
            var console = new JsObject(engine);
            foreach (var name in (string[])["log", "info", "warn", "error", "debug"])
                ReadOnly(console, name, Printer(engine, name, output));
            console.PreventExtensions();
            return console;
        });
        engine.SetValue("print", Printer(engine, "print", output));
    }

    private static void ReadOnly(ObjectInstance target, string name, JsValue value) =>
        target.FastSetProperty(name, new PropertyDescriptor(value, writable: false, enumerable: true, configurable: false));

    private static ClrFunction Printer(Engine engine, string name, OutputBuffer output) =>
        new(engine, name, (_, arguments) =>
        {
            output.WriteLine(Format(engine, arguments));
            return JsValue.Undefined;
        });

    /// <summary>Strings as they are, other primitives as JS prints them, objects as JSON.</summary>
    internal static string Format(Engine engine, JsValue[] values)
    {
        var line = new StringBuilder();
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
                line.Append(' ');
            line.Append(FormatOne(engine, values[i]));
        }
        return line.ToString();
    }

    private static string FormatOne(Engine engine, JsValue value)
    {
        if (value.IsString())
            return value.AsString();
        if (value.IsNumber())
            return Jint.Runtime.TypeConverter.ToString(value);
        if (value.IsUndefined())
            return "undefined";
        if (value.IsNull())
            return "null";
        if (value.IsBoolean())
            return value.AsBoolean() ? "true" : "false";
        if (value.IsObject() && value is not Jint.Native.Function.Function)
        {
            try
            {
                var json = new JsonSerializer(engine).Serialize(value);
                if (json.IsString())
                    return json.AsString();
            }
            catch (Jint.Runtime.JavaScriptException)
            {
                // A cycle or a BigInt inside: fall back to the plain description below.
            }
        }
        return string.Create(CultureInfo.InvariantCulture, $"{value}");
    }
}
