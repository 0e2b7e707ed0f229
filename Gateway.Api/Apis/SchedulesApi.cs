using System.Text.Json;
using Gateway.Core.Recurring;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Api.Apis;

/// <summary>A circle's schedules: recurring tasks by cron expression.</summary>
public static class SchedulesApi
{
    public static RouteGroupBuilder MapSchedulesApi(this RouteGroupBuilder api)
    {
        var routes = api.MapNamedResources<ScheduleRequest>("Schedule", Put, List, Get, Delete);
        routes.Put.ProducesProblem(StatusCodes.Status404NotFound);
        return routes.Group;
    }

    /// <summary>201 for a new schedule, 200 when it replaced one; 404 when it names an unknown registered script.</summary>
    [EndpointSummary("Create or replace a schedule: each due time of its cron expression submits one task, once across all processes.")]
    public static async Task<Results<Created<ScheduleView>, Ok<ScheduleView>, ProblemHttpResult>> Put(
        [AsParameters] NamedPut put, ScheduleStore schedules, ScriptRegistry scripts, CancellationToken cancellationToken)
    {
        var (body, problem) = await put.ReadAsync<ScheduleRequest>(cancellationToken);
        if (problem is not null)
            return problem;
        var (definition, errors) = Validate(body!, put.Limits);
        if (definition is null)
            return RequestReader.Invalid(errors);
        if (definition.ScriptName is { } scriptName)
        {
            // Each firing runs in the language of the version it resolves, as a submit by name does;
            // the schedule shows the language of the version it names now.
            if (await scripts.GetAsync(put.Circle, scriptName, definition.ScriptVersion) is not { } script)
                return NamedScripts.Unknown(put.Circle, scriptName, definition.ScriptVersion, "scriptName");
            definition = definition with { Language = script.Language };
        }

        var (schedule, created) = await schedules.PutAsync(put.Circle, put.Name, definition);
        return NamedResources.Put(created, $"/api/circles/{put.Circle}/schedules/{put.Name}", ScheduleView.From(schedule));
    }

    [EndpointSummary("Every schedule of the circle.")]
    public static async Task<Ok<ScheduleListView>> List(string circle, ScheduleStore schedules) =>
        TypedResults.Ok(new ScheduleListView((await schedules.ListAsync(circle)).Select(ScheduleView.From).ToArray()));

    [EndpointSummary("One schedule, with its next due time and its last firing.")]
    public static async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> Get(string circle, string name, ScheduleStore schedules) =>
        await schedules.GetAsync(circle, name) is { } schedule
            ? TypedResults.Ok(ScheduleView.From(schedule))
            : Unknown(circle, name);

    [EndpointSummary("Remove a schedule; a task it already submitted is not touched.")]
    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string circle, string name, ScheduleStore schedules) =>
        await schedules.DeleteAsync(circle, name)
            ? TypedResults.NoContent()
            : Unknown(circle, name);

    private static ProblemHttpResult Unknown(string circle, string name) =>
        RequestReader.NotFound($"Circle '{circle}' has no schedule '{name}'.");

    /// <summary>The definition, or the errors naming each field at fault.</summary>
    private static (ScheduleDefinition? Definition, Dictionary<string, string[]> Errors) Validate(ScheduleRequest body, LimitsOptions limits)
    {
        var errors = new Dictionary<string, string[]>();
        var zoneName = body.TimeZone ?? "UTC";
        if (!CronSchedule.TryFindZone(zoneName, out var zone))
            RequestReader.Add(errors, "timeZone", $"'{zoneName}' is not a time zone this server knows; use an IANA name such as \"Europe/Brussels\".");
        else if (TimeZoneInfo.TryConvertWindowsIdToIanaId(zoneName, out var iana) && zoneName != "UTC")
            // Found, but by its Windows id: stored as given, it would read differently on a
            // server without that id, and API.md promises an IANA name.
            RequestReader.Add(errors, "timeZone", $"'{zoneName}' is a Windows time zone id; use its IANA name \"{iana}\".");
        if (!CronSchedule.TryParse(body.Cron, zone, out _, out var cronError))
            RequestReader.Add(errors, "cron", cronError!);

        var task = RequestReader.ValidateTask(body, limits, field: "", errors);
        var overlap = body.Overlap switch
        {
            null or "skip" => ScheduleOverlap.Skip,
            "allow" => ScheduleOverlap.Allow,
            _ => (ScheduleOverlap?)null,
        };
        if (overlap is null)
            RequestReader.Add(errors, "overlap", "overlap must be \"skip\" (the default) or \"allow\".");
        if (errors.Count > 0)
            return (null, errors);

        return (new ScheduleDefinition(body.Cron!.Trim(), zoneName, body.Script, body.ScriptName, body.ScriptVersion,
            task.Language.ToWire(), task.ArgsJson, task.TimeoutMs, overlap!.Value, body.Enabled ?? true)
        {
            Priority = task.Priority,
            Retry = task.Retry,
        }, errors);
    }
}

/// <summary>The body of a schedule put: the task each firing submits, and when it fires.</summary>
public sealed record ScheduleRequest : TaskFields
{
    /// <summary>5 fields (minute hour day month weekday), or 6 with seconds first.</summary>
    public string? Cron { get; init; }

    /// <summary>An IANA time zone name; default <c>UTC</c>.</summary>
    public string? TimeZone { get; init; }

    /// <summary><c>skip</c> (default): a due time is skipped while the previous firing's task has not finished; <c>allow</c>: it fires anyway.</summary>
    public string? Overlap { get; init; }

    /// <summary>Default true; a disabled schedule keeps its definition and does not fire.</summary>
    public bool? Enabled { get; init; }
}

/// <summary>A schedule as the API shows it.</summary>
public sealed record ScheduleView(
    string Name,
    string Cron,
    string TimeZone,
    string? Script,
    string? ScriptName,
    int? ScriptVersion,
    string Language,
    JsonElement? Args,
    int TimeoutMs,
    int Priority,
    RetryRequest? Retry,
    string Overlap,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? NextRunAt,
    DateTimeOffset? LastRunAt,
    string? LastTaskId)
{
    public static ScheduleView From(ScheduleRecord schedule)
    {
        var d = schedule.Definition;
        return new(schedule.Name, d.Cron, d.TimeZone, d.Script, d.ScriptName, d.ScriptVersion, d.Language,
            StoredJson.ToElement(d.ArgsJson), d.TimeoutMs, d.Priority,
            d.Retry is { } retry ? new RetryRequest { Attempts = retry.Attempts, BackoffMs = retry.BackoffMs, Factor = retry.Factor } : null,
            d.Overlap == ScheduleOverlap.Allow ? "allow" : "skip",
            d.Enabled, schedule.CreatedAt, schedule.UpdatedAt, schedule.NextRunAt, schedule.LastRunAt, schedule.LastTaskId);
    }
}

/// <summary>The schedules of a circle.</summary>
public sealed record ScheduleListView(IReadOnlyList<ScheduleView> Schedules);
