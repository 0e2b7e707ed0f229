using System.Threading.Channels;

namespace Gateway.Workers.Processing;

/// <summary>
/// Which circle to claim from next. Circles believed to hold work are served round-robin, so a
/// busy circle cannot starve a quiet one. Work is known of from submit events (no polling) and,
/// as a safety net for missed events, from a slow poll of every served circle. A paused circle
/// (<see cref="PausedCircles"/>) is never chosen, and its resumption counts as a hint. (The
/// scripts refuse a paused circle's claims anyway; this spares claims that would find nothing.)
/// </summary>
/// <remarks>
/// A completion may claim its circle's next task in the same round trip (<see cref="MayClaimNext"/>),
/// which keeps the slot away from the claim loop; that is allowed only while this circle is the
/// one known to hold work, so that the round-robin still decides as soon as another has some.
/// </remarks>
internal sealed class CircleSchedule
{
    private readonly WorkerOptions _options;
    private readonly TaskReader _reader;
    private readonly PausedCircles _paused;
    private readonly Channel<string> _hints = Channel.CreateUnbounded<string>(new() { SingleReader = true });
    private readonly List<string> _active = [];
    private readonly HashSet<string> _activeSet = new(StringComparer.Ordinal);
    private readonly HashSet<string>? _served;
    private int _next;

    // Written by the claim loop; read by completions on any thread.
    private volatile string? _sole;

    // Set by an event for a circle other than the sole active one (or the reconnect nudge);
    // cleared by the claim loop just before it reads the hints, so none set after is lost.
    private volatile bool _contended;

    public CircleSchedule(WorkerOptions options, TaskReader reader, TaskEvents events, PausedCircles paused)
    {
        _options = options;
        _reader = reader;
        _paused = paused;
        paused.Resumed += circle =>
        {
            if (circle.Length == 0 || Serves(circle))
            {
                _contended = true;
                _hints.Writer.TryWrite(circle);
            }
        };
        _served = options.ServesAllCircles ? null : new HashSet<string>(options.Circles, StringComparer.Ordinal);
        events.Changed += (circle, _, state) =>
        {
            // An empty circle is the "connection restored" nudge: look everywhere.
            if (state == TaskState.Pending && (circle.Length == 0 || Serves(circle)))
            {
                if (!string.Equals(circle, _sole, StringComparison.Ordinal))
                    _contended = true;
                _hints.Writer.TryWrite(circle);
            }
        };
    }

    private bool Serves(string circle) => _served is null || _served.Contains(circle);

    /// <summary>The next circle that may hold work, waiting for a hint or the poll when none is known.</summary>
    public async Task<string> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            _contended = false;
            await DrainHintsAsync();
            // Paused since it was marked: left until its resumption is heard.
            if (_active.RemoveAll(_paused.Contains) > 0)
                _activeSet.RemoveWhere(_paused.Contains);
            UpdateSole();
            if (_active.Count > 0)
            {
                _next %= _active.Count;
                return _active[_next++];
            }

            using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            poll.CancelAfter(_options.IdlePollMs);
            try
            {
                await _hints.Reader.WaitToReadAsync(poll.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await MarkAllAsync();
                UpdateSole();
            }
        }
    }

    /// <summary>Reports what a claim found: a circle that gave less than asked is drained for now.</summary>
    public void Claimed(string circle, int asked, int got)
    {
        if (got < asked && _activeSet.Remove(circle))
        {
            _active.Remove(circle);
            UpdateSole();
        }
    }

    /// <summary>
    /// Whether a task of <paramref name="circle"/> that finishes may claim the circle's next one
    /// for its slot: only while it is the one circle known to hold work and no event says another
    /// has some. Otherwise the slot goes back to the claim loop and its round-robin.
    /// </summary>
    public bool MayClaimNext(string circle) =>
        !_contended && string.Equals(circle, _sole, StringComparison.Ordinal) && !_paused.Contains(circle);

    private void UpdateSole() => _sole = _active.Count == 1 ? _active[0] : null;

    private async Task DrainHintsAsync()
    {
        while (_hints.Reader.TryRead(out var circle))
        {
            if (circle.Length == 0)
                await MarkAllAsync();
            else
                Mark(circle);
        }
    }

    private async Task MarkAllAsync()
    {
        IEnumerable<string> circles = _served ?? (IEnumerable<string>)await _reader.ListCircleNamesAsync();
        foreach (var circle in circles)
            Mark(circle);
    }

    private void Mark(string circle)
    {
        if (!_paused.Contains(circle) && _activeSet.Add(circle))
            _active.Add(circle);
    }
}
