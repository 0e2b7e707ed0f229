namespace Gateway.Workers.Processing;

/// <summary>
/// Hosted services begin before their host has finished starting: Kestrel binds its port last.
/// What takes work for this process (the claim loop) or tells others that it serves (the
/// heartbeat) waits for the host to have started, so that a host that fails to start — its port
/// taken, say — has done neither: it holds no lease when it exits, and a process restarted in a
/// loop does not spend an attempt of each task it would have claimed at every start.
/// </summary>
internal static class HostStart
{
    /// <summary>Completes once the host has started; cancelled with <paramref name="cancellationToken"/>.</summary>
    public static async Task WhenStartedAsync(this IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(cancellationToken);
    }
}
