namespace Gateway.Core.Queueing;

/// <summary>Task ids: 32 lowercase hex characters of a version 7 UUID — URL-safe, unique, time-ordered.</summary>
public static class TaskIds
{
    public static string New(TimeProvider time) => Guid.CreateVersion7(time.GetUtcNow()).ToString("N");

    /// <summary>True when <paramref name="id"/> has the shape of an id; anything else can never name a task.</summary>
    public static bool IsWellFormed(string? id)
    {
        if (id is not { Length: 32 })
            return false;
        foreach (var c in id)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
                return false;
        }
        return true;
    }
}
