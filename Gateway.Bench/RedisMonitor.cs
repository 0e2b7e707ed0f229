using System.Net.Sockets;
using System.Text;

namespace Gateway.Bench;

/// <summary>
/// Reads <c>MONITOR</c> on a connection of its own (StackExchange.Redis has no such command):
/// each line names its source, <c>[0 lua]</c> for a command a script ran, an address for one a
/// client sent. MONITOR slows Redis down; use it for counting, not for timing.
/// </summary>
internal sealed class RedisMonitor : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly Task _reading;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, long> _clientCommands = [];
    private long _fromClients;
    private long _insideLua;

    private RedisMonitor(TcpClient tcp)
    {
        _tcp = tcp;
        _reading = Task.Run(ReadAsync);
    }

    public static async Task<RedisMonitor> StartAsync(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint[..colon], int.Parse(endpoint[(colon + 1)..].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture));
        await tcp.GetStream().WriteAsync("MONITOR\r\n"u8.ToArray());
        var monitor = new RedisMonitor(tcp);
        await Task.Delay(200);
        return monitor;
    }

    private async Task ReadAsync()
    {
        using var reader = new StreamReader(_tcp.GetStream(), Encoding.UTF8);
        try
        {
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                // +1700000000.123456 [0 127.0.0.1:5000] "EVALSHA" ...   or   ... [0 lua] "HSET" ...
                var close = line.IndexOf(']', StringComparison.Ordinal);
                if (!line.StartsWith('+') || close < 0)
                    continue;
                var command = line[(close + 2)..].Split(' ', 2)[0].Trim('"').ToLowerInvariant();
                if (line.AsSpan(0, close).EndsWith(" lua", StringComparison.Ordinal))
                {
                    _insideLua++;
                }
                else if (command is not ("info" or "monitor"))
                {
                    _fromClients++;
                    _clientCommands[command] = _clientCommands.GetValueOrDefault(command) + 1;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    public Counts Stop()
    {
        Thread.Sleep(300); // let the last lines arrive
        _stop.Cancel();
        _tcp.Close();
        _reading.Wait(TimeSpan.FromSeconds(5));
        return new Counts(_fromClients, _insideLua, new Dictionary<string, long>(_clientCommands));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _tcp.Dispose();
    }

    internal sealed record Counts(long FromClients, long InsideLua, Dictionary<string, long> ClientCommands);
}
