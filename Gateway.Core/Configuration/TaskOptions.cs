using System.ComponentModel.DataAnnotations;

namespace Gateway.Core.Configuration;

/// <summary><c>Gateway:Tasks</c> — how long tasks are kept.</summary>
public sealed class TaskOptions
{
    public const string Section = "Gateway:Tasks";

    /// <summary>Hours a terminal task stays readable.</summary>
    [Range(1, 24 * 365)]
    public int RetentionHours { get; set; } = 24;
}
