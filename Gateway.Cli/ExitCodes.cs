namespace Gateway.Cli;

/// <summary>What <c>gw</c> tells the shell. Scripts branch on these, so they never change meaning.</summary>
internal static class ExitCodes
{
    /// <summary>The task completed (or the command did what it was asked).</summary>
    public const int Ok = 0;

    /// <summary>The script failed (or the task was cancelled; for <c>gw health</c>, the API is unhealthy).</summary>
    public const int Failed = 1;

    /// <summary>The command line was wrong, or the API rejected the request as invalid (400).</summary>
    public const int Usage = 2;

    /// <summary>The wait ran out; the task goes on, and its id was printed.</summary>
    public const int TimedOut = 3;

    /// <summary>The API refused the request (401, 403, 404, 409, …) or could not be reached.</summary>
    public const int ApiError = 4;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Interrupted = 130;
}
