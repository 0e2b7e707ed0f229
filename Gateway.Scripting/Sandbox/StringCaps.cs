using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace Gateway.Scripting.Sandbox;

/// <summary>
/// The allocation budget is checked between statements, so one built-in call can allocate far
/// past it: <c>'x'.repeat(2 ** 28)</c> is half a gigabyte in a single step. The built-ins that
/// size a string from a number are checked before they run instead.
/// </summary>
internal static class StringCaps
{
    public static void Install(Engine engine, long maxChars)
    {
        var prototype = engine.GetValue("String").AsObject().Get("prototype").AsObject();
        Wrap(engine, prototype, "repeat", maxChars, (self, args) =>
            (double)TypeConverter.ToString(self).Length * TypeConverter.ToNumber(args.At(0)));
        Wrap(engine, prototype, "padStart", maxChars, (_, args) => TypeConverter.ToNumber(args.At(0)));
        Wrap(engine, prototype, "padEnd", maxChars, (_, args) => TypeConverter.ToNumber(args.At(0)));

        var arrays = engine.GetValue("Array").AsObject().Get("prototype").AsObject();
        Wrap(engine, arrays, "join", maxChars, JoinLength);
    }

    /// <summary>
    /// A lower bound of what <c>join</c> builds: the separators and the string elements, read as
    /// own data properties only, so no getter or trap of the script runs twice.
    /// </summary>
    private static double JoinLength(JsValue self, JsValue[] args)
    {
        if (self is not ObjectInstance array || array.GetType().Name.Contains("Proxy", StringComparison.Ordinal))
            return 0;
        var lengthProperty = array.GetOwnProperty("length");
        if (!lengthProperty.IsDataDescriptor())
            return 0;
        var count = TypeConverter.ToNumber(lengthProperty.Value);
        if (!double.IsFinite(count) || count <= 0)
            return 0;
        var separator = args.At(0);
        var total = (count - 1) * (separator.IsUndefined() ? 1 : separator.IsString() ? separator.AsString().Length : 1);
        for (uint i = 0; i < count && i < 10_000_000; i++)
        {
            var element = array.GetOwnProperty(i);
            if (element.IsDataDescriptor() && element.Value is JsString text)
                total += text.Length;
        }
        return total;
    }

    private static void Wrap(Engine engine, ObjectInstance prototype, string name, long maxChars, Func<JsValue, JsValue[], double> resultLength)
    {
        var original = prototype.Get(name);
        var wrapper = new ClrFunction(engine, name, (self, args) =>
        {
            var length = resultLength(self, args);
            if (length > maxChars)
            {
                throw new MemoryLimitExceededException(
                    $"String.prototype.{name} would build a string of {length:0} characters; the limit is {maxChars}.");
            }
            return engine.Call(original, self, args);
        }, length: 1);
        prototype.FastSetProperty(name, new PropertyDescriptor(wrapper, writable: true, enumerable: false, configurable: true));
    }
}
