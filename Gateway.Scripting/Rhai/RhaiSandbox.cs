using Gateway.Core.Configuration;
using Gateway.Rhai;

namespace Gateway.Scripting.Rhai;

/// <summary>
/// The limits every Rhai task runs under, from <see cref="LimitsOptions"/>. Rhai bounds each
/// value (a string's length, an array's or a map's elements counting nested ones) rather than
/// what a run allocates in total, so each kind of value gets a share of the memory budget.
/// </summary>
internal static class RhaiSandbox
{
    /// <summary>
    /// Rhai's own default is 64 levels. A call level costs several closure frames of native
    /// stack; deeper than this, recursion is better written as a loop.
    /// </summary>
    public const int MaxCallLevels = 256;

    /// <summary>
    /// What one element costs: a 24-byte value in a list that may have doubled its capacity, or,
    /// nested, a list of its own. Measured: <c>a = [a, a]</c> up to 666,666 elements allocated
    /// 136 MiB and took 7 s in one step on a loaded machine; at half that, 68 MiB and 3 s.
    /// </summary>
    private const int BytesPerArrayElement = 96;

    /// <summary>An entry of a sorted map: its node, its key string and its value.</summary>
    private const int BytesPerMapEntry = 128;

    public static RhaiEngineOptions Options(LimitsOptions limits, TimeProvider clock) => new()
    {
        Clock = clock,
        MaxOperations = limits.MaxStatements,
        MaxCallLevels = Math.Min(limits.MaxRecursionDepth, MaxCallLevels),
        // A quarter of the budget for one string (two bytes a character): the step that breaks
        // the limit, such as s + s, has already built a string twice that size.
        MaxStringSize = Share(limits.MemoryBytes / 4 / 2),
        // Half of it for arrays, never more than JavaScript's longest array.
        MaxArraySize = Math.Min(limits.MaxArrayLength, Share(limits.MemoryBytes / 2 / BytesPerArrayElement)),
        MaxMapSize = Share(limits.MemoryBytes / 4 / BytesPerMapEntry),
        // A script is at most MaxScriptBytes long; this only keeps a pathological one cheap to compile.
        MaxFunctions = 10_000,
    };

    private static int Share(long value) => (int)Math.Clamp(value, 1, int.MaxValue);
}
