using System.Globalization;

namespace Gateway.Bench;

/// <summary>One read of an Api's <c>/metrics</c> (Prometheus text): a metric's samples summed over their labels.</summary>
internal sealed class ApiMetrics(string text)
{
    /// <summary>Null when the Api does not answer <c>/metrics</c>.</summary>
    public static async Task<ApiMetrics?> ReadAsync(string url)
    {
        using var http = new HttpClient();
        try
        {
            return new ApiMetrics(await http.GetStringAsync(url.TrimEnd('/') + "/metrics"));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>A read of a process that must answer, as every Gateway host does.</summary>
    public static async Task<ApiMetrics> ReadRequiredAsync(string url) =>
        await ReadAsync(url) ?? throw new InvalidOperationException($"{url} does not answer /metrics");

    /// <summary>Methods the process's runtime has compiled so far.</summary>
    public long CompiledMethods => (long)Total("dotnet_jit_compiled_methods_total");

    public double Total(string metric) => text.Split('\n')
        .Where(l => l.StartsWith(metric + ' ', StringComparison.Ordinal) || l.StartsWith(metric + '{', StringComparison.Ordinal))
        .Sum(l => double.Parse(l[(l.Contains('}') ? l.LastIndexOf('}') + 1 : metric.Length)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
}
