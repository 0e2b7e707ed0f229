using Gateway.Tests;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A real Gateway.Workers or Gateway.Api process, for tests whose fault is a process fault.
/// It talks to the test Redis unless the settings say otherwise.
/// </summary>
public sealed partial class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private HostProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>Where it listens; 0 until a process that chose its own port has said which.</summary>
    public int Port { get; private set; }

    public int Pid => _process.Id;

    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    public static Task<HostProcess> StartWorkerAsync(IReadOnlyDictionary<string, string>? settings = null) =>
        StartAsync("Gateway.Workers", settings);

    /// <param name="port">A port of the caller's, to start a process again where its clients expect it; a free one when null.</param>
    public static async Task<HostProcess> StartAsync(string project, IReadOnlyDictionary<string, string>? settings = null, string? workingDirectory = null, int? port = null)
    {
        var host = Launch(project, settings, workingDirectory, port ?? TestRedis.FreePort());
        await host.WaitUntilReadyAsync();
        return host;
    }

    /// <summary>Starts the process without waiting for it to be ready.</summary>
    /// <param name="port">The port to give it with <c>--urls</c>; null gives none (nor the environment's), so the host picks its own, which <see cref="WaitUntilReadyAsync"/> reads from its log.</param>
    public static HostProcess Launch(string project, IReadOnlyDictionary<string, string>? settings = null, string? workingDirectory = null, int? port = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Locate(project) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        if (port is { } given)
        {
            info.ArgumentList.Add("--urls");
            info.ArgumentList.Add($"http://127.0.0.1:{given}");
        }
        foreach (var key in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS" })
            info.Environment.Remove(key);
        info.Environment["ConnectionStrings__Redis"] = TestRedis.ConnectionString;
        info.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        info.Environment["Gateway__Workers__IdlePollMs"] = "1000";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            info.Environment[key.Contains(':', StringComparison.Ordinal) ? key.Replace(":", "__", StringComparison.Ordinal) : key] = value;

        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var host = new HostProcess(process, port ?? 0);
        process.OutputDataReceived += (_, e) => host.Append(e.Data);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
    }

    public async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
                Assert.Fail($"the process exited with {_process.ExitCode} before it was live:\n{Log}");
            if (Port == 0 && OwnAddress().Match(Log) is { Success: true } said)
                Port = int.Parse(said.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (Port == 0)
            {
                await Task.Delay(200);
                continue;
            }
            try
            {
                var response = await http.GetAsync($"http://127.0.0.1:{Port}/health/ready");
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow to answer while starting.
            }
            await Task.Delay(200);
        }
        Assert.Fail($"the process was not ready within 60 s:\n{Log}");
    }

    /// <summary>SIGKILL: no chance to clean up, as when a pod is lost.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM: the graceful path a pod gets on scale-down.</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync().WaitAsync(timeout);

    public int ExitCode => _process.ExitCode;

    /// <summary>Resident set size of the process now, from /proc.</summary>
    public long RssBytes(string field = "VmRSS")
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }

    /// <summary>An HTTP client for this process's own port.</summary>
    public HttpClient CreateClient() => new() { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(100) };

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    /// <summary>The worker host's log line that names the address it chose.</summary>
    [GeneratedRegex(@"Health and metrics at http://127\.0\.0\.1:(\d+)")]
    private static partial Regex OwnAddress();

    /// <summary>A host's dll as the solution build left it, in the same configuration as these tests.</summary>
    internal static string Locate(string project)
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = here.Parent!.Name; // bin/<Configuration>/<tfm>/
        var framework = here.Name;
        for (var dir = here; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                var dll = Path.Combine(dir.FullName, project, "bin", configuration, framework, project + ".dll");
                if (!File.Exists(dll))
                    Assert.Fail($"{dll} is missing: build the solution (dotnet build) before running the tests.");
                return dll;
            }
        }
        throw new InvalidOperationException("Gateway.sln not found above " + here.FullName);
    }
}
