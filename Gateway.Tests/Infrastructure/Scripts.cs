namespace Gateway.Tests.Infrastructure;

/// <summary>Scripts the tests share.</summary>
public static class Scripts
{
    /// <summary>
    /// Keeps its worker slot busy for <paramref name="ms"/> milliseconds, then returns that number.
    /// Each Date.now() allocates and the allocation budget counts garbage too, so a host running
    /// these needs <see cref="BusyWaitBudget"/> as its <c>Gateway:Limits:MemoryBytes</c>.
    /// </summary>
    public static string BusyFor(int ms) => $"const t = Date.now(); while (Date.now() - t < {ms}) {{}} {ms}";

    public const string BusyWaitBudget = "4000000000";
}
