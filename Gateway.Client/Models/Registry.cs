using System.Text.Json;

namespace Gateway.Client;

/// <summary>A circle's registered script, as <c>GET …/scripts/{name}</c> answers it.</summary>
public sealed record RegisteredScript
{
    /// <summary>Its name in the circle.</summary>
    public required string Name { get; init; }

    /// <summary>Its version, from 1; the same text again does not make a new one.</summary>
    public int Version { get; init; }

    /// <summary>SHA-256 of the text, hex.</summary>
    public string? Sha256 { get; init; }

    /// <summary><c>javascript</c> or <c>rhai</c>.</summary>
    public string? Language { get; init; }

    /// <summary>What it is for, as registered.</summary>
    public string? Description { get; init; }

    /// <summary>When this version was registered.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The text; only when one script is read, not in a list.</summary>
    public string? Script { get; init; }
}

/// <summary>A recurring task: each firing of <see cref="Cron"/> submits one ordinary task.</summary>
public sealed record Schedule
{
    /// <summary>Its name in the circle (set from the path on a put).</summary>
    public string? Name { get; init; }

    /// <summary>5 fields, or 6 with seconds first.</summary>
    public required string Cron { get; init; }

    /// <summary>IANA time zone; <c>UTC</c> when null.</summary>
    public string? TimeZone { get; init; }

    /// <summary>The script text; or <see cref="ScriptName"/>.</summary>
    public string? Script { get; init; }

    /// <summary>A registered script of the circle; or <see cref="Script"/>.</summary>
    public string? ScriptName { get; init; }

    /// <summary>With <see cref="ScriptName"/>: the version each firing runs; null runs the latest at each firing.</summary>
    public int? ScriptVersion { get; init; }

    /// <summary><c>javascript</c> (default) or <c>rhai</c>; a registered script runs in the language it was registered in.</summary>
    public string? Language { get; init; }

    /// <summary>Visible to each task as <c>args</c>.</summary>
    public JsonElement? Args { get; init; }

    /// <summary>Wall time each task may run, in milliseconds.</summary>
    public long? TimeoutMs { get; init; }

    /// <summary>0 … 9.</summary>
    public int? Priority { get; init; }

    /// <summary>Each firing's task runs again after a <c>script_error</c> or <c>timeout</c>, as with <see cref="SubmitOptions.Retry"/>.</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary><c>skip</c> (default: no firing while the previous task is unfinished) or <c>allow</c>.</summary>
    public string? Overlap { get; init; }

    /// <summary>False pauses it.</summary>
    public bool? Enabled { get; init; }

    /// <summary>Next due time (read only).</summary>
    public DateTimeOffset? NextRunAt { get; init; }

    /// <summary>Last firing (read only).</summary>
    public DateTimeOffset? LastRunAt { get; init; }

    /// <summary>The task of the last firing (read only).</summary>
    public string? LastTaskId { get; init; }

    /// <summary>When the schedule was first put (read only).</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When it was last put (read only).</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
}
