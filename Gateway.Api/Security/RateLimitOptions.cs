using System.ComponentModel.DataAnnotations;

namespace Gateway.Api.Security;

/// <summary><c>Gateway:RateLimit</c> — a token bucket per API key (per client address when the API is open).</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Gateway:RateLimit";

    /// <summary>Requests per second each caller gets, refilled continuously; 0 = no rate limit.</summary>
    [Range(0, 1_000_000)]
    public int PermitsPerSecond { get; set; } = 5_000;

    /// <summary>Requests a caller may make at once after being idle.</summary>
    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 10_000;
}
