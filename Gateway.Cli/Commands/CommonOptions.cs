using System.CommandLine.Parsing;
using System.Globalization;

namespace Gateway.Cli.Commands;

/// <summary>Options several commands share; each command gets its own instances.</summary>
internal static class CommonOptions
{
    public static Option<string> Circle() => new Option<string>("--circle", "-c")
    {
        Description = "The circle (queue)",
        Required = true,
    }.NotEmpty();

    public static Option<bool> Json(string what = "Print the whole task as JSON") => new("--json") { Description = what };

    public static Argument<string> TaskId() => new Argument<string>("ID") { Description = "The task's id" }.NotEmpty();

    /// <summary>An empty value is a usage error here, rather than a request to a path with an empty segment.</summary>
    public static Option<string> NotEmpty(this Option<string> option)
    {
        option.Validators.Add(result => RejectEmpty(result, option.Name));
        return option;
    }

    /// <inheritdoc cref="NotEmpty(Option{string})"/>
    public static Argument<string> NotEmpty(this Argument<string> argument)
    {
        argument.Validators.Add(result => RejectEmpty(result, argument.Name));
        return argument;
    }

    private static void RejectEmpty(SymbolResult result, string name)
    {
        if (result.Tokens.Count > 0 && string.IsNullOrWhiteSpace(result.Tokens[0].Value))
            result.AddError($"{name} may not be empty.");
    }

    /// <summary><c>--retry N</c>, for a submitted task and for each firing of a schedule alike.</summary>
    public static Option<int?> Retry() =>
        new("--retry") { Description = "Run again up to N times (1 … 10) after a script error or timeout, 1 s apart, doubling" };

    /// <summary>The policy <c>--retry N</c> asks for; null when it was not given.</summary>
    public static RetryPolicy? RetryPolicy(ParseResult parse, Option<int?> retry) =>
        parse.GetValue(retry) is { } attempts ? new RetryPolicy(attempts, TimeSpan.FromSeconds(1)) : null;

    /// <summary>A number below <paramref name="minimum"/> is a usage error.</summary>
    public static Option<int> AtLeast(this Option<int> option, int minimum)
    {
        option.Validators.Add(result =>
        {
            // A value that is not a number at all is the parser's own error, reported beside this.
            if (result.Tokens is [{ } token] && int.TryParse(token.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value < minimum)
                result.AddError($"{option.Name} must be at least {minimum} (got {value}).");
        });
        return option;
    }

    public static Option<TimeSpan> Timeout(string description, TimeSpan fallback) => new("--timeout", "-t")
    {
        Description = description + " (e.g. 30s, 2m, 500ms)",
        DefaultValueFactory = _ => fallback,
        CustomParser = ParseDuration,
    };

    public static Option<TimeSpan?> Duration(string name, string description) => new(name)
    {
        Description = description + " (e.g. 10s, 1m, 500ms)",
        CustomParser = result => ParseDuration(result),
    };

    /// <summary><c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c>, or a plain number of seconds: at least a tick, less than <see cref="TimeSpan.MaxValue"/>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        var units = new (string Suffix, double Seconds)[] { ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600) };
        foreach (var (suffix, seconds) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
                return TryDuration(n * seconds, out value);
        }
        value = default;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain) && TryDuration(plain, out value);
    }

    private static bool TryDuration(double seconds, out TimeSpan value)
    {
        value = seconds > 0 && seconds < TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;
        return value > TimeSpan.Zero;
    }

    private static TimeSpan ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParseDuration(text, out var value))
            return value;
        result.AddError($"'{text}' is not a duration: use a positive number with ms, s, m or h (e.g. 30s).");
        return default;
    }
}
