using Jint;
using Jint.Native;
using Jint.Runtime;
using Jint.Runtime.Modules;

namespace Gateway.Scripting.Sandbox;

/// <summary>
/// <c>import</c> of anything fails with a script-visible error. Jint's default loader throws a
/// host exception instead, which would reach the worker as an internal failure.
/// </summary>
internal sealed class NoModules : IModuleLoader
{
    public ResolvedSpecifier Resolve(string? referencingModuleLocation, ModuleRequest moduleRequest) =>
        throw new JavaScriptException(new JsString($"Cannot import '{moduleRequest.Specifier}': modules are not available to tasks."));

    public Module LoadModule(Engine engine, ResolvedSpecifier resolved) =>
        throw new JavaScriptException(new JsString("Modules are not available to tasks."));
}
