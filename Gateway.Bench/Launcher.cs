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

    /// <summary>The repository's root, from the build output.</summary>
    public static string Root { get; } = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));

    /// <summary>Starts a redis-server; the first one started is <see cref="Redis"/>.</summary>
    public async Task<string> StartRedisAsync()
    {
        var port = FreePort();
        Start("redis-server", ["--bind", "127.0.0.1", "--port", port.ToString(), "--save", "", "--appendonly", "no"], []);
        var address = $"127.0.0.1:{port}";
        Redis ??= address;
        await WaitAsync(() => new TcpClient("127.0.0.1", port).Connected, "redis-server");
        return address;
    }

    /// <summary>Starts the Api on <see cref="Redis"/> (or <paramref name="redis"/>); <see cref="Url"/> and <see cref="Pid"/> are the last one started.</summary>
    /// <param name="concurrency">Worker slots; null leaves every setting but Redis and logging at its default.</param>
    public async Task StartApiAsync(int? concurrency, bool workers = true, string? redis = null)
    {
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}";
        var settings = concurrency is { } slots ? Settings(redis ?? Redis, slots, workers) : Defaults(redis ?? Redis);
        var process = Start("dotnet", [Built("Gateway.Api"), "--urls", Url], settings);
        Pid = process.Id;
        await WaitReadyAsync(Url, "the Api");
    }

    /// <summary>
    /// Starts the Api as a user's first <c>dotnet run</c> does — the embedded Garnet, persisted
    /// under <paramref name="dataPath"/> — with <paramref name="settings"/> on top; returns the
    /// embedded server's address.
    /// </summary>
    public async Task<string> StartEmbeddedApiAsync(string dataPath, Dictionary<string, string?> settings)
    {
        var redisPort = FreePort();
        Url = $"http://127.0.0.1:{FreePort()}";
        var environment = new Dictionary<string, string?>(settings)
        {
            ["ConnectionStrings__Redis"] = "",
            ["Gateway__Embedded__Port"] = redisPort.ToString(),
            ["Gateway__Embedded__DataPath"] = dataPath,
            ["Logging__LogLevel__Default"] = "Warning",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };
        var process = Start("dotnet", [Built("Gateway.Api"), "--urls", Url], environment);
        Pid = process.Id;
        await WaitReadyAsync(Url, "the Api");
        return $"127.0.0.1:{redisPort}";
    }

    /// <summary>Starts a worker-only process; returns its process id and the address of its health and metrics.</summary>
    public async Task<(int Pid, string Url)> StartWorkerAsync(int concurrency, string redis)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var process = Start("dotnet", [Built("Gateway.Workers"), "--urls", url], Settings(redis, concurrency, workers: true));
        await WaitReadyAsync(url, "a worker");
        return (process.Id, url);
    }

    public void Stop(int pid)
    {
        var process = _started.Single(p => p.Id == pid);
        process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
    }

    private static Dictionary<string, string?> Settings(string? redis, int concurrency, bool workers) => new(Defaults(redis))
    {
        ["Gateway__Workers__Enabled"] = workers ? "true" : "false",
        ["Gateway__Workers__Concurrency"] = concurrency.ToString(),
        ["Gateway__RateLimit__PermitsPerSecond"] = "0",
    };

    private static Dictionary<string, string?> Defaults(string? redis) => new()
    {
        ["ConnectionStrings__Redis"] = redis,
        ["Logging__LogLevel__Default"] = "Warning",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        // As the image and `dotnet run` start the hosts (Dockerfile, launchSettings.json).
        ["DOTNET_GCgen0size"] = "0x2000000",
        ["DOTNET_TC_CallCountingDelayMs"] = "0",
    };

    private static string Built(string project)
    {
        var path = Path.Combine(Root, project, "bin", "Release", "net10.0", project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build first: dotnet build -c Release", path);
    }

    private static async Task WaitReadyAsync(string url, string what)
    {
        using var http = new HttpClient();
        await WaitAsync(() => http.GetAsync($"{url}/health/ready").Result.StatusCode == HttpStatusCode.OK, what);
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

    public static int FreePort()
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
