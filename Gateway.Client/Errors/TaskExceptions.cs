namespace Gateway.Client;

/// <summary>A task did not end with a result: its script failed, it was cancelled, or the caller's wait ran out.</summary>
public abstract class GatewayTaskException : Exception
{
    private protected GatewayTaskException(string message, GatewayTask task)
        : base(message)
    {
        Task = task;
    }

    /// <summary>The task as last read.</summary>
    public GatewayTask Task { get; }

    /// <summary>The task's id, to read it or wait for it again.</summary>
    public string TaskId => Task.Id;

    /// <summary>What the script printed before it ended.</summary>
    public string Output => Task.Output;
}

/// <summary>The script failed: a syntax error, an uncaught throw, a limit, or its worker lost too often.</summary>
public sealed class ScriptFailedException : GatewayTaskException
{
    /// <summary>Creates the exception for a failed task.</summary>
    public ScriptFailedException(GatewayTask task)
        : base(Describe(task), task)
    {
        var error = task.Error ?? new TaskError("internal", "The task failed without an error.");
        Code = error.Code;
        ErrorMessage = error.Message;
        Line = error.Line;
        Column = error.Column;
    }

    /// <summary>The error code, e.g. <c>script_error</c>, <c>syntax_error</c>, <c>timeout</c>.</summary>
    public string Code { get; }

    /// <summary>The script's error message as the server reported it.</summary>
    public string ErrorMessage { get; }

    /// <summary>Line of the error in the script, when known.</summary>
    public int? Line { get; }

    /// <summary>Column of the error in the script, when known.</summary>
    public int? Column { get; }

    private static string Describe(GatewayTask task)
    {
        var error = task.Error;
        if (error is null)
            return $"Task '{task.Id}' failed.";
        var where = error.Line is { } line ? error.Column is { } column ? $" at line {line}, column {column}" : $" at line {line}" : "";
        return $"Task '{task.Id}' failed with {error.Code}{where}: {error.Message}";
    }
}

/// <summary>The task was cancelled before it finished.</summary>
public sealed class TaskWasCancelledException(GatewayTask task)
    : GatewayTaskException($"Task '{task.Id}' was cancelled.", task);

/// <summary>
/// The caller's wait ran out before the task finished. The task goes on: wait for it again with
/// <see cref="GatewayClient.WaitAsync"/> and <see cref="GatewayTaskException.TaskId"/>.
/// </summary>
public sealed class TaskWaitTimeoutException(GatewayTask task, TimeSpan waited)
    : GatewayTaskException($"Task '{task.Id}' was still {task.Status.ToWire()} after {waited.TotalSeconds:0.#} s; it goes on running.", task)
{
    /// <summary>How long the caller waited.</summary>
    public TimeSpan Waited { get; } = waited;
}
