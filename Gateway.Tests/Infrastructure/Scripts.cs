namespace Gateway.Tests.Infrastructure;

/// <summary>Scripts the tests share.</summary>
public static class Scripts
{
    /// <summary>
    /// Keeps its worker slot busy for <paramref name="ms"/> milliseconds, then returns that number.
    /// Each Date.now() allocates garbage; the memory budget counts only what a script holds, so
    /// this runs under the default budget however long it spins.
    /// </summary>
    public static string BusyFor(int ms) => $"const t = Date.now(); while (Date.now() - t < {ms}) {{}} {ms}";
}
