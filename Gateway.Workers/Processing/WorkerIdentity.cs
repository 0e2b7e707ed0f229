namespace Gateway.Workers.Processing;

/// <summary>Who this worker process is, as the task hashes and the worker registry name it.</summary>
public sealed class WorkerIdentity
{
    public WorkerIdentity(TimeProvider time)
    {
        var host = Environment.MachineName.ToLowerInvariant();
        Host = host;
        Id = $"gw-{(host.Length > 12 ? host[..12] : host)}-{Random.Shared.Next(0x10000):x4}-{Environment.ProcessId}";
        StartedAt = time.GetUtcNow();
    }

    public string Id { get; }

    public string Host { get; }

    public DateTimeOffset StartedAt { get; }
}
