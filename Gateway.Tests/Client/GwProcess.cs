using System.Diagnostics;
using HostProcess = Gateway.Tests.Infrastructure.HostProcess;

namespace Gateway.Tests.Client;

/// <summary><c>gw</c> run as a real process: arguments, standard input, and its two output streams kept apart.</summary>
public static class GwProcess
{
    public sealed record Run(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    public static async Task<Run> RunAsync(IEnumerable<string> args, string? stdin = null, Uri? url = null,
        Dictionary<string, string>? environment = null)
    {
        using var process = Start(args, url, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null)
                await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // gw ended before it read its input (a usage error refuses the arguments first): the
            // pipe is closed, and what it did not read is not what the test is about.
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"gw {string.Join(' ', args)} did not exit within 90 s");
        }
        return new Run(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A <c>gw</c> that runs until it is stopped (<c>gw stream</c>): its stdout line by line as it comes.</summary>
    public static Following Follow(IEnumerable<string> args) => new(Start(args, url: null));

    /// <remarks>
    /// Started through <c>env --default-signal=INT</c>: a test run started in the background of a
    /// shell inherits SIGINT ignored, and a process that starts with SIGINT ignored never sees
    /// Ctrl+C — the interrupt tests would then test the shell, not gw.
    /// </remarks>
    private static Process Start(IEnumerable<string> args, Uri? url, Dictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("env")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--default-signal=INT");
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(HostProcess.Locate("Gateway.Cli"));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        info.Environment["GATEWAY_URL"] = (url ?? ClientApi.BaseAddress).ToString();
        info.Environment.Remove("GATEWAY_API_KEY");
        info.Environment.Remove("GATEWAY_REQUEST_TIMEOUT");
        foreach (var (name, value) in environment ?? [])
            info.Environment[name] = value;
        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }

    public sealed class Following : IDisposable
    {
        private readonly Process _process;
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();
        private readonly Task<string> _stderr;
        private readonly Task _reading;

        internal Following(Process process)
        {
            _process = process;
            _stderr = process.StandardError.ReadToEndAsync();
            _reading = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line)
                    _lines.Enqueue(line);
            });
        }

        /// <summary>Every line printed so far.</summary>
        public IReadOnlyList<string> Lines => _lines.ToArray();

        /// <summary>Ctrl+C, then the exit, with everything it printed.</summary>
        public async Task<Run> InterruptAsync()
        {
            Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                Assert.Fail("gw did not exit within 30 s of Ctrl+C");
            }
            await _reading;
            return new Run(_process.ExitCode, string.Join('\n', Lines), await _stderr);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }
}
