using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Gateway.Tests.Dashboard;

/// <summary>axe-core, run inside the page by Deque's Playwright binding.</summary>
internal static class Accessibility
{
    /// <summary>Each serious or critical violation on the page as it stands: rule, help and the elements.</summary>
    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        TestContext.Out.WriteLine($"axe: {result.Passes.Length} rules passed, {result.Violations.Length} violated");
        foreach (var v in result.Violations)
            TestContext.Out.WriteLine($"  {v.Impact} {v.Id}: {v.Help} ({v.Nodes.Length} elements)");
        return result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact} {v.Id}: {v.Help} — {string.Join("; ", v.Nodes.Select(n => n.Html))}")
            .ToArray();
    }
}
