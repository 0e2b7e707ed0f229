using Jint;

namespace Gateway.Scripting.Modules;

/// <summary>The globals <c>calendar</c>, <c>flow</c> and <c>legal</c>, bound to the task's circle.</summary>
internal static class DomainModules
{
    public static void Install(Engine engine, ModuleScope scope)
    {
        engine.SetValue("calendar", CalendarModule.Build(scope));
        engine.SetValue("flow", FlowModule.Build(scope));
        engine.SetValue("legal", LegalModule.Build(scope));
    }
}
