using Gateway.Core.Configuration;
using Jint;
using Jint.Constraints;

namespace Gateway.Scripting.Sandbox;

/// <summary>
/// The engine options every task runs under, built once from <see cref="LimitsOptions"/>.
/// A default Jint engine has no limits at all; each line here closes a hole measured in the
/// sandbox notes. Constraints are registered as factories, so one Options serves every engine.
/// </summary>
internal static class SandboxOptions
{
    /// <summary>Deepest nesting <c>JSON.parse</c> reads, and a task's args with it.</summary>
    public const int JsonParseDepth = 64;

    public static Options Build(LimitsOptions limits)
    {
        var options = new Options()
            // The whole run — every entry, await and host call — shares one budget and the task's token.
            .Constraint(() => new OperationDeadlineConstraint())
            // A backstop should a run ever be entered without the deadline armed.
            .TimeoutInterval(TimeSpan.FromMilliseconds(limits.MaxTimeoutMs))
            // What the script holds, measured whenever the allocation counter below passes the
            // budget; registered first so that it is checked, and re-arms the counter, before the
            // counter would fail the run for garbage.
            .Constraint(() => new RetainedMemoryConstraint(limits.MemoryBytes))
            .LimitMemory(limits.MemoryBytes)
            .LimitRecursion(limits.MaxRecursionDepth)
            .RegexTimeoutInterval(TimeSpan.FromMilliseconds(limits.RegexTimeoutMs))
            .MaxArraySize((uint)limits.MaxArrayLength)
            .MaxJsonParseDepth(JsonParseDepth)
            .DisableStringCompilation()
            .EnableModules(new NoModules())
            .AllowClrWrite(false)
            .Strict();
        if (limits.MaxStatements > 0)
            options.MaxStatements((int)Math.Min(limits.MaxStatements, int.MaxValue));

        // LimitRecursion alone does not stop a valueOf recursion from overflowing the native stack.
        options.Constraints.StackOverflowGuard = true;
        // Atomics.wait blocks its thread beyond the reach of any time limit.
        options.AgentCanSuspend = false;
        return options;
    }
}
