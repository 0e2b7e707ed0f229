using System.ComponentModel.DataAnnotations;

namespace Gateway.Core.Configuration;

/// <summary><c>Gateway:Workers</c> — how a process runs tasks.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Gateway:Workers";

    /// <summary>Run workers in this process (the Api host; the worker host always runs them).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Circles to serve; <c>*</c> (or none listed) = every known circle.</summary>
    /// <remarks>Empty by default: the configuration binder appends to an array, never replaces it.</remarks>
    public string[] Circles { get; set; } = [];

    /// <summary>Tasks run at once by this process; 0 = processor count.</summary>
    [Range(0, 1_024)]
    public int Concurrency { get; set; }

    /// <summary>Lease of a claimed task, renewed while it runs.</summary>
    [Range(1, 3_600)]
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>Runs of a lost task before it fails with <c>lost</c>.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Time in-flight tasks get to finish on shutdown.</summary>
    [Range(0, 3_600)]
    public int ShutdownGraceSeconds { get; set; } = 25;

    /// <summary>Safety poll of the queues when no wake-up arrives, in milliseconds.</summary>
    [Range(100, 600_000)]
    public int IdlePollMs { get; set; } = 5_000;

    /// <summary>How often a worker process tells the registry it is alive; it is listed until three beats are missed.</summary>
    [Range(1, 3_600)]
    public int HeartbeatSeconds { get; set; } = 5;

    public int EffectiveConcurrency => Concurrency > 0 ? Concurrency : Environment.ProcessorCount;

    public bool ServesAllCircles => Circles.Length == 0 || Circles.Contains("*");
}
