using System.ComponentModel.DataAnnotations;

namespace Gateway.Core.Configuration;

/// <summary>
/// <c>Gateway:Limits</c> — every size and sandbox budget in one place. A task may ask for less
/// time than <see cref="MaxTimeoutMs"/>, never more.
/// </summary>
public sealed class LimitsOptions
{
    public const string Section = "Gateway:Limits";

    /// <summary>Largest script accepted, in UTF-8 bytes.</summary>
    [Range(1, 16 * 1024 * 1024)]
    public int MaxScriptBytes { get; set; } = 64 * 1024;

    /// <summary>Largest <c>args</c> accepted, serialized, in UTF-8 bytes.</summary>
    [Range(2, 64 * 1024 * 1024)]
    public int MaxArgsBytes { get; set; } = 256 * 1024;

    /// <summary>Wall time of a task that asks for none.</summary>
    [Range(1, 3_600_000)]
    public int DefaultTimeoutMs { get; set; } = 5_000;

    /// <summary>Most wall time a task may ask for.</summary>
    [Range(1, 3_600_000)]
    public int MaxTimeoutMs { get; set; } = 60_000;

    /// <summary>Longest <c>?wait=</c> a request may ask for, in seconds.</summary>
    [Range(0, 3_600)]
    public int MaxWaitSeconds { get; set; } = 60;

    /// <summary>
    /// Memory one run may hold, in bytes: measured as what its engine keeps reachable, each time
    /// it has allocated this much since the last measure (see docs/SANDBOX.md).
    /// </summary>
    [Range(1_000_000, long.MaxValue)]
    public long MemoryBytes { get; set; } = 64_000_000;

    /// <summary>Statements one run may execute; 0 = no statement limit.</summary>
    [Range(0, long.MaxValue)]
    public long MaxStatements { get; set; }

    /// <summary>Deepest call stack a script may build.</summary>
    [Range(16, 10_000)]
    public int MaxRecursionDepth { get; set; } = 512;

    /// <summary>Longest one regular-expression match may take.</summary>
    [Range(1, 60_000)]
    public int RegexTimeoutMs { get; set; } = 250;

    /// <summary>Longest array a script may create.</summary>
    [Range(1, int.MaxValue)]
    public int MaxArrayLength { get; set; } = 1_000_000;

    /// <summary>Console output kept per task, in characters; the rest is cut with a marker.</summary>
    [Range(0, 16 * 1024 * 1024)]
    public int MaxOutputChars { get; set; } = 64 * 1024;

    /// <summary>Largest result, serialized, in UTF-8 bytes; beyond it the task fails <c>result_too_large</c>.</summary>
    [Range(1, 64 * 1024 * 1024)]
    public int MaxResultBytes { get; set; } = 1024 * 1024;

    /// <summary>Most tasks a circle may have waiting; beyond it a submit is refused (429).</summary>
    [Range(1, int.MaxValue)]
    public int MaxPendingPerCircle { get; set; } = 100_000;

    /// <summary>
    /// Most bytes of JSON a circle's domain entities (calendars, events, flows, contracts) may take
    /// in Redis together; a script's create or change beyond it fails. Scripts cannot fill the
    /// shared Redis, and what a script lists of one kind stays within this.
    /// </summary>
    [Range(1024, long.MaxValue)]
    public long MaxModelBytesPerCircle { get; set; } = 64L * 1024 * 1024;

    /// <summary>Parsed scripts kept for reuse, keyed by content.</summary>
    [Range(0, 1_000_000)]
    public int ScriptCacheEntries { get; set; } = 1_000;
}
