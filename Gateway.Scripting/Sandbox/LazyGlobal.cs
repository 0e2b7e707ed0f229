using Jint;
using Jint.Native;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace Gateway.Scripting.Sandbox;

/// <summary>
/// A global the host builds the first time a script reads it, then keeps: most scripts never
/// touch the modules or the console, and a fresh engine per task would otherwise build every
/// host function of them for each run. Read-only, like the value it stands for.
/// </summary>
internal static class LazyGlobal
{
    public static void Define(Engine engine, string name, Func<JsValue> build)
    {
        JsValue? built = null;
        var getter = new ClrFunction(engine, name, (_, _) => built ??= build());
        engine.Global.FastSetProperty(name, new GetSetPropertyDescriptor(getter, JsValue.Undefined, enumerable: false, configurable: false));
    }
}
