using Cronos;

namespace Gateway.Core.Recurring;

/// <summary>
/// A cron expression in a time zone, parsed by Cronos: 5 fields, or 6 with seconds first (or a
/// Cronos macro such as <c>@daily</c>). Daylight-saving transitions are Cronos's: a time skipped
/// by a spring-forward fires at the transition; one repeated in autumn fires once, unless the
/// expression names every second, minute or hour of the repeated interval.
/// </summary>
public sealed class CronSchedule
{
    private readonly CronExpression _expression;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone)
    {
        _expression = expression;
        Zone = zone;
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>Parses the expression; the error names what is wrong when it does not parse.</summary>
    public static bool TryParse(string? cron, TimeZoneInfo zone, out CronSchedule? schedule, out string? error)
    {
        schedule = null;
        error = null;
        var text = cron?.Trim() ?? "";
        if (text.Length == 0)
        {
            error = "A cron expression is required.";
            return false;
        }
        var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        CronExpression? expression;
        if (text.StartsWith('@'))
        {
            if (!CronExpression.TryParse(text, CronFormat.Standard, out expression) && !CronExpression.TryParse(text, CronFormat.IncludeSeconds, out expression))
                expression = null;
        }
        else if (fields is 5 or 6)
        {
            CronExpression.TryParse(text, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard, out expression);
        }
        else
        {
            error = $"'{text}' has {fields} fields; a cron expression has 5 (minute hour day month weekday), or 6 with seconds first.";
            return false;
        }
        if (expression is null)
        {
            error = $"'{text}' is not a cron expression Cronos can parse.";
            return false;
        }
        // Cron has no year, so an expression that matches once after any fixed instant matches
        // forever; one that matches no date (the 30th of February) would never fire.
        if (expression.GetNextOccurrence(DateTimeOffset.UnixEpoch, zone) is null)
        {
            error = $"'{text}' matches no date, so it would never fire.";
            return false;
        }
        schedule = new CronSchedule(expression, zone);
        return true;
    }

    /// <summary>An IANA time zone name (default UTC); false when this machine does not know it.</summary>
    public static bool TryFindZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrEmpty(id) || id == "UTC")
            return true;
        if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found))
        {
            zone = found;
            return true;
        }
        return false;
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>; null when there is none (e.g. 30 February).</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) => _expression.GetNextOccurrence(after, Zone, inclusive: false);

    /// <summary>
    /// What a firing at <paramref name="now"/> does for a schedule whose stored next due time
    /// (<paramref name="due"/>) has come: the due time to fire, which is the latest occurrence
    /// not after now when that is at most <paramref name="grace"/> old (earlier ones are not
    /// replayed), or null when every occurrence since <paramref name="due"/> is older than that
    /// (after downtime); and the next due time, the first occurrence after now.
    /// </summary>
    public (DateTimeOffset? Fire, DateTimeOffset? Next) Plan(DateTimeOffset due, DateTimeOffset now, TimeSpan grace)
    {
        var latest = _expression.GetPreviousOccurrence(now, Zone, inclusive: true);
        if (latest is null || latest < due)
            latest = due;
        var fire = now - latest.Value <= grace ? latest : null;
        return (fire, NextAfter(now));
    }

    /// <summary>The most due times <see cref="Passed"/> counts: a schedule every second, down for a day, is 86 400.</summary>
    public const int MostCounted = 1_000_000;

    /// <summary>
    /// How many due times from <paramref name="due"/> to <paramref name="now"/> (both included) a
    /// firing planned with <see cref="Plan"/> passes over: all of them, but the one it fires.
    /// </summary>
    public long Passed(DateTimeOffset due, DateTimeOffset now, DateTimeOffset? fire)
    {
        if (fire == due)
            return 0; // the latest due time is the stored one: an on-time firing passes over nothing
        long count = 0;
        foreach (var occurrence in _expression.GetOccurrences(due, now, Zone, fromInclusive: true, toInclusive: true))
        {
            if (occurrence != fire)
                count++;
            if (count == MostCounted)
                break;
        }
        return count;
    }
}
