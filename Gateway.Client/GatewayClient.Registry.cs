using System.Globalization;
using Gateway.Client.Wire;

namespace Gateway.Client;

public sealed partial class GatewayClient
{
    /// <summary>
    /// Registers a script under <paramref name="name"/> in the circle; a changed text makes a new
    /// version, the same text again does not. Submit it with <see cref="SubmitOptions.ScriptName"/>.
    /// </summary>
    /// <param name="circle">The circle.</param>
    /// <param name="name">The script's name (circle-name rule).</param>
    /// <param name="script">The text.</param>
    /// <param name="language"><c>javascript</c> (default) or <c>rhai</c>.</param>
    /// <param name="description">What it is for.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The registered version, without its text.</returns>
    public Task<RegisteredScript> PutScriptAsync(string circle, string name, string script, string? language = null, string? description = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(script);
        var request = Json(HttpMethod.Put, ScriptPath(circle, name), new ScriptBody(script, language, description), ClientJson.Default.ScriptBody);
        return SendAsync(request, ClientJson.Default.RegisteredScript, cancellationToken);
    }

    /// <summary>One registered script with its text: the latest version, or <paramref name="version"/>.</summary>
    /// <exception cref="GatewayApiException">404 when the name (or version) is unknown; 400 naming <c>name</c> when it breaks the name rule.</exception>
    public Task<RegisteredScript> GetScriptAsync(string circle, string name, int? version = null, CancellationToken cancellationToken = default)
    {
        var path = ScriptPath(circle, name) + (version is { } v ? "?version=" + v.ToString(CultureInfo.InvariantCulture) : "");
        return SendAsync(new HttpRequestMessage(HttpMethod.Get, path), ClientJson.Default.RegisteredScript, cancellationToken);
    }

    /// <summary>Every registered script of the circle, latest versions.</summary>
    public async Task<IReadOnlyList<RegisteredScript>> ListScriptsAsync(string circle, CancellationToken cancellationToken = default)
    {
        var list = await SendAsync(new HttpRequestMessage(HttpMethod.Get, CirclePath(circle) + "/scripts"), ClientJson.Default.ScriptList, cancellationToken).ConfigureAwait(false);
        return list.Scripts;
    }

    /// <summary>Removes a registered script and its versions; tasks already submitted still run.</summary>
    /// <exception cref="GatewayApiException">404 when the name is unknown (not when an attempt sent again finds it gone); 400 naming <c>name</c> when it breaks the name rule.</exception>
    public Task DeleteScriptAsync(string circle, string name, CancellationToken cancellationToken = default) =>
        SendNoBodyAsync(new HttpRequestMessage(HttpMethod.Delete, ScriptPath(circle, name)), cancellationToken);

    /// <summary>Creates or replaces the schedule <paramref name="name"/> of the circle.</summary>
    /// <param name="circle">The circle.</param>
    /// <param name="name">The schedule's name.</param>
    /// <param name="schedule">Its cron, script (or registered script name) and options; the read-only fields are not sent.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The schedule as stored, with its next due time.</returns>
    public Task<Schedule> PutScheduleAsync(string circle, string name, Schedule schedule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if ((schedule.Script is null) == (schedule.ScriptName is null))
            throw new ArgumentException("Give either Script or ScriptName, not both and not neither.", nameof(schedule));
        var body = schedule with { Name = null, NextRunAt = null, LastRunAt = null, LastTaskId = null, CreatedAt = null, UpdatedAt = null };
        return SendAsync(Json(HttpMethod.Put, SchedulePath(circle, name), body, ClientJson.Default.Schedule), ClientJson.Default.Schedule, cancellationToken);
    }

    /// <summary>One schedule, with <c>nextRunAt</c>, <c>lastRunAt</c> and <c>lastTaskId</c>.</summary>
    /// <exception cref="GatewayApiException">404 when unknown; 400 naming <c>name</c> when it breaks the name rule.</exception>
    public Task<Schedule> GetScheduleAsync(string circle, string name, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, SchedulePath(circle, name)), ClientJson.Default.Schedule, cancellationToken);

    /// <summary>Every schedule of the circle.</summary>
    public async Task<IReadOnlyList<Schedule>> ListSchedulesAsync(string circle, CancellationToken cancellationToken = default)
    {
        var list = await SendAsync(new HttpRequestMessage(HttpMethod.Get, CirclePath(circle) + "/schedules"), ClientJson.Default.ScheduleList, cancellationToken).ConfigureAwait(false);
        return list.Schedules;
    }

    /// <summary>Removes a schedule; a task it already submitted goes on.</summary>
    /// <exception cref="GatewayApiException">404 when unknown (not when an attempt sent again finds it gone); 400 naming <c>name</c> when it breaks the name rule.</exception>
    public Task DeleteScheduleAsync(string circle, string name, CancellationToken cancellationToken = default) =>
        SendNoBodyAsync(new HttpRequestMessage(HttpMethod.Delete, SchedulePath(circle, name)), cancellationToken);

    private async Task SendNoBodyAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            // A DELETE sent again after an attempt whose answer was lost finds nothing: it is gone, as asked.
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound && request.Method == HttpMethod.Delete && GatewayResilience.WasResent(request))
                return;
            if (!response.IsSuccessStatusCode)
                throw await GatewayApiException.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string ScriptPath(string circle, string name) => $"{CirclePath(circle)}/scripts/{Segment(name)}";

    private static string SchedulePath(string circle, string name) => $"{CirclePath(circle)}/schedules/{Segment(name)}";
}
