using System.Globalization;

namespace Gateway.Api.OpenApi;

/// <summary>
/// The property's maximum is a <see cref="LimitsOptions"/> setting, so the document states the
/// limit this server runs with (use <c>[Range]</c> for fixed bounds).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class LimitAttribute(string setting) : Attribute
{
    public string Setting { get; } = setting;

    public double Minimum { get; init; } = double.NaN;

    public string MaximumIn(LimitsOptions limits) =>
        Convert.ToString(typeof(LimitsOptions).GetProperty(Setting)!.GetValue(limits), CultureInfo.InvariantCulture)!;
}
