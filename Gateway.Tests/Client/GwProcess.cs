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

    public static async Task<Run> RunAsync(IEnumerable<string> args, string? stdin = null, Uri? url = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(HostProcess.Locate("Gateway.Cli"));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        info.Environment["GATEWAY_URL"] = (url ?? ClientApi.BaseAddress).ToString();
        info.Environment.Remove("GATEWAY_API_KEY");

        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
            await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
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
}
