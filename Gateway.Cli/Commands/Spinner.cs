using System.Diagnostics;

namespace Gateway.Cli.Commands;

/// <summary>
/// "⠋ running 3.2s" on standard error while a task runs, only when standard error is a terminal:
/// a pipe or a log file never gets carriage returns.
/// </summary>
internal sealed class Spinner : IAsyncDisposable
{
    private static readonly string[] Frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private Spinner(string label)
    {
        _loop = SpinAsync(label, _stop.Token);
    }

    /// <summary>A spinner, or null when standard error is redirected (or GW_NO_SPINNER is set).</summary>
    public static Spinner? Start(string label) =>
        Console.IsErrorRedirected || Environment.GetEnvironmentVariable("GW_NO_SPINNER") is { Length: > 0 } ? null : new Spinner(label);

    private static async Task SpinAsync(string label, CancellationToken stop)
    {
        var started = TimeProvider.System.GetTimestamp();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var frame = 0;
        try
        {
            do
            {
                Console.Error.Write($"\r{Frames[frame++ % Frames.Length]} {label} {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.0}s ");
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        finally
        {
            Console.Error.Write("\r\u001b[K");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
