using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Bench;

/// <summary>
/// <c>--start</c>: a redis-server of the benchmark's own on a free port (no persistence) and, for
/// the HTTP modes, the Api from the build output with its workers in process, both stopped at the end.
/// </summary>
internal sealed class Launcher : IDisposable
{
    private readonly List<Process> _started = [];

    public string? Redis { get; private set; }

    public string? Url { get; private set; }

    public int? Pid { get; private set; }

    public async Task StartRedisAsync()
    {
        var port = FreePort();
        Start("redis-server", ["--bind", "127.0.0.1", "--port", port.ToString(), "--save", "", "--appendonly", "no"], []);
        Redis = $"127.0.0.1:{port}";
        await WaitAsync(() => new TcpClient("127.0.0.1", port).Connected, "redis-server");
    }

    public async Task StartApiAsync(int concurrency)
    {
        var api = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "Gateway.Api", "bin", "Release", "net10.0", "Gateway.Api.dll");
        if (!File.Exists(api))
            throw new FileNotFoundException("Build the Api first: dotnet build -c Release", api);
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}";
        var process = Start("dotnet", [api, "--urls", Url], new()
        {
            ["ConnectionStrings__Redis"] = Redis,
            ["Gateway__Workers__Concurrency"] = concurrency.ToString(),
            ["Gateway__RateLimit__PermitsPerSecond"] = "0",
            ["Logging__LogLevel__Default"] = "Warning",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        });
        Pid = process.Id;
        using var http = new HttpClient();
        await WaitAsync(() => http.GetAsync($"{Url}/health/ready").Result.StatusCode == HttpStatusCode.OK, "the Api");
    }

    private Process Start(string file, string[] args, Dictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _started.Add(process);
        return process;
    }

    private static async Task WaitAsync(Func<bool> ready, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                if (ready())
                    return;
            }
            catch (Exception ex) when (ex is SocketException or HttpRequestException or AggregateException)
            {
                // Not yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{what} did not become ready within 60 s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        foreach (var process in Enumerable.Reverse(_started))
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
            process.Dispose();
        }
    }
}
