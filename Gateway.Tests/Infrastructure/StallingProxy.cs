using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Tests.Infrastructure;

/// <summary>
/// A TCP proxy in front of a Redis server that can hold back the server's answers for a while,
/// as a CPU-starved or paused server does: the commands reach the server and run, only their
/// answers come late. The stall starts when a chosen command passes on its way to the server.
/// </summary>
public sealed class StallingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Lock _gate = new();
    private readonly Task _accepting;
    private Func<string, bool>? _trigger;
    private TimeSpan _stall;
    private Task _answersHeld = Task.CompletedTask;

    public StallingProxy(int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Loopback, targetPort);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string ConnectionString => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>How many stalls have begun.</summary>
    public int Stalls { get; private set; }

    /// <summary>Holds every answer for <paramref name="stall"/> once the next command named <paramref name="command"/> is sent (once).</summary>
    public void StallAfter(string command, TimeSpan stall)
    {
        // A RESP command name travels as a bulk string of its own: "$4\r\nEXEC\r\n".
        var name = $"${command.Length}\r\n{command}\r\n";
        StallAfter(sent => sent.Contains(name, StringComparison.OrdinalIgnoreCase), stall);
    }

    /// <summary>Holds every answer for <paramref name="stall"/> once the client sends bytes that <paramref name="trigger"/> accepts (once).</summary>
    public void StallAfter(Func<string, bool> trigger, TimeSpan stall)
    {
        lock (_gate)
        {
            _trigger = trigger;
            _stall = stall;
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            var server = new TcpClient();
            await server.ConnectAsync(_target);
            lock (_gate)
                _connections.AddRange([client, server]);
            _ = PumpAsync(client.GetStream(), server.GetStream(), toServer: true);
            _ = PumpAsync(server.GetStream(), client.GetStream(), toServer: false);
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool toServer)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (toServer)
                    WatchFor(buffer.AsSpan(0, read));
                else
                    await _answersHeld.WaitAsync(_stop.Token);
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or SocketException)
        {
            // The proxy or one side closed.
        }
    }

    private void WatchFor(ReadOnlySpan<byte> sent)
    {
        lock (_gate)
        {
            if (_trigger is null || !_trigger(Encoding.ASCII.GetString(sent)))
                return;
            _trigger = null;
            _answersHeld = Task.Delay(_stall);
            Stalls++;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_gate)
        {
            foreach (var connection in _connections)
                connection.Dispose();
        }
        await _accepting;
        _stop.Dispose();
    }
}
