using System.ComponentModel.DataAnnotations;

namespace Gateway.Api.Hosting;

/// <summary><c>Gateway:Embedded</c> — the in-process Garnet server used when no Redis is configured.</summary>
public sealed class EmbeddedRedisOptions
{
    public const string Section = "Gateway:Embedded";

    /// <summary>Loopback port to listen on; 0 = any free port.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 6380;

    /// <summary>Folder for the append-only file, checkpoints and the spill-over log; relative to the working directory.</summary>
    [Required]
    public string DataPath { get; set; } = "data";

    /// <summary>Keep data across restarts (append-only file, recovered at start).</summary>
    public bool Persist { get; set; } = true;

    /// <summary>
    /// Seconds between checkpoints; each one lets the append-only file be cut up to the point it
    /// covers. A checkpoint is also taken at shutdown. 0 = only at shutdown (the file then grows
    /// until the process stops). The record log that spills to <see cref="DataPath"/> is not
    /// compacted: it grows with every task written.
    /// </summary>
    [Range(0, 86_400)]
    public int CheckpointSeconds { get; set; } = 60;

    /// <summary>Memory for records; beyond it records spill to disk under <see cref="DataPath"/>, never evicted.</summary>
    [Required]
    [RegularExpression("^[0-9]+[kmgKMG]?$")]
    public string MemorySize { get; set; } = "256m";

    /// <summary>
    /// Size of <see cref="DataPath"/>, in megabytes, past which the <c>embedded-data</c> health
    /// check reports Degraded: the folder only grows, so a service that has outgrown trying the
    /// gateway should move to Redis. 0 = never.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int DataWarningMegabytes { get; set; } = 1024;
}
