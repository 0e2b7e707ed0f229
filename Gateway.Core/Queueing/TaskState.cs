using System.Text;

namespace Gateway.Core.Queueing;

/// <summary>
/// The life cycle of a task: (scheduled →) pending → processing → one terminal state; a failed
/// run with a retry policy goes back to scheduled. The numbers travel in event messages between
/// processes of different versions, so a new state is added at the end.
/// </summary>
public enum TaskState
{
    Pending,
    Processing,
    Completed,
    Failed,
    Cancelled,
    Scheduled,
}

/// <summary>The wire names of <see cref="TaskState"/>, as stored in Redis and shown by the API.</summary>
public static class TaskStates
{
    public const string Pending = "pending";
    public const string Processing = "processing";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Scheduled = "scheduled";

    /// <summary>Every wire name, in life-cycle order (for messages that list them).</summary>
    public static readonly string[] All = [Scheduled, Pending, Processing, Completed, Failed, Cancelled];

    public static string ToWire(this TaskState state) => state switch
    {
        TaskState.Pending => Pending,
        TaskState.Processing => Processing,
        TaskState.Completed => Completed,
        TaskState.Failed => Failed,
        TaskState.Cancelled => Cancelled,
        TaskState.Scheduled => Scheduled,
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    public static bool TryParse(string? wire, out TaskState state)
    {
        switch (wire)
        {
            case Pending: state = TaskState.Pending; return true;
            case Processing: state = TaskState.Processing; return true;
            case Completed: state = TaskState.Completed; return true;
            case Failed: state = TaskState.Failed; return true;
            case Cancelled: state = TaskState.Cancelled; return true;
            case Scheduled: state = TaskState.Scheduled; return true;
            default: state = default; return false;
        }
    }

    /// <summary>A wire name as UTF-8 bytes (an event message as received).</summary>
    public static bool TryParseUtf8(ReadOnlySpan<byte> wire, out TaskState state)
    {
        for (var i = 0; i < All.Length; i++)
        {
            if (wire.Length == All[i].Length && Ascii.Equals(wire, All[i]))
                return TryParse(All[i], out state);
        }
        state = default;
        return false;
    }

    public static bool IsTerminal(this TaskState state) => state is TaskState.Completed or TaskState.Failed or TaskState.Cancelled;
}
