namespace Gateway.Core.Queueing;

/// <summary>The life cycle of a task: pending → processing → one terminal state.</summary>
public enum TaskState
{
    Pending,
    Processing,
    Completed,
    Failed,
    Cancelled,
}

/// <summary>The wire names of <see cref="TaskState"/>, as stored in Redis and shown by the API.</summary>
public static class TaskStates
{
    public const string Pending = "pending";
    public const string Processing = "processing";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static string ToWire(this TaskState state) => state switch
    {
        TaskState.Pending => Pending,
        TaskState.Processing => Processing,
        TaskState.Completed => Completed,
        TaskState.Failed => Failed,
        TaskState.Cancelled => Cancelled,
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
            default: state = default; return false;
        }
    }

    public static bool IsTerminal(this TaskState state) => state >= TaskState.Completed;
}
