using System.ComponentModel.DataAnnotations;

namespace Gateway.Core.Configuration;

/// <summary><c>Gateway:Tasks</c> — how long tasks are kept.</summary>
public sealed class TaskOptions
{
    public const string Section = "Gateway:Tasks";

    /// <summary>Hours a terminal task stays readable; a fraction is allowed (0.05 is three minutes) for soak runs and tests.</summary>
    [Range(0.01, 24 * 365)]
    public double RetentionHours { get; set; } = 24;
}
