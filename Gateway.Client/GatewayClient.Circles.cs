using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gateway.Client.Wire;

namespace Gateway.Client;

public sealed partial class GatewayClient
{
    /// <summary>The circles that have had tasks (those the API key may use), with their queue figures.</summary>
    public async Task<IReadOnlyList<CircleInfo>> ListCirclesAsync(CancellationToken cancellationToken = default)
    {
        var list = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/circles"), ClientJson.Default.CircleList, cancellationToken).ConfigureAwait(false);
        return list.Circles;
    }

    /// <summary>One circle's queue figures; zeros for a circle never used.</summary>
    public Task<CircleInfo> GetCircleAsync(string circle, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, CirclePath(circle)), ClientJson.Default.CircleInfo, cancellationToken);

    /// <summary>
    /// Pauses the circle: its tasks are still accepted and wait, and no worker claims one until
    /// <see cref="ResumeCircleAsync"/>; tasks already running finish. Returns its figures.
    /// </summary>
    public Task<CircleInfo> PauseCircleAsync(string circle, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, CirclePath(circle) + "/pause"), ClientJson.Default.CircleInfo, cancellationToken);

    /// <summary>Resumes a paused circle: workers claim its waiting tasks again. Returns its figures.</summary>
    public Task<CircleInfo> ResumeCircleAsync(string circle, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, CirclePath(circle) + "/resume"), ClientJson.Default.CircleInfo, cancellationToken);

    /// <summary>
    /// Cancels every task waiting in the circle, in any priority, and with
    /// <paramref name="scheduled"/> the scheduled ones too (delayed, or waiting out a retry's
    /// backoff). Running tasks go on. Tasks submitted meanwhile may be cancelled too: pause the
    /// circle first to let nothing start while it works.
    /// </summary>
    public Task<DrainResult> DrainCircleAsync(string circle, bool scheduled = false, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, CirclePath(circle) + (scheduled ? "/drain?scheduled=true" : "/drain")),
            ClientJson.Default.DrainResult, cancellationToken);

    /// <summary>The live worker processes.</summary>
    public async Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync(CancellationToken cancellationToken = default)
    {
        var list = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/workers"), ClientJson.Default.WorkerList, cancellationToken).ConfigureAwait(false);
        return list.Workers;
    }

    /// <summary>
    /// The readiness checks of the API process that answers, with what each found: a Degraded
    /// service says why here. Any known caller may read it.
    /// </summary>
    public Task<HealthInfo> GetHealthAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/health"), ClientJson.Default.HealthInfo, cancellationToken);

    /// <summary>Every entity of one domain view of the circle (calendars, events, flows, contracts), as JSON.</summary>
    public async Task<IReadOnlyList<JsonElement>> ListDomainAsync(string circle, DomainView view, CancellationToken cancellationToken = default)
    {
        var name = ViewPath(view);
        var body = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{CirclePath(circle)}/{name}"),
            ClientJson.Default.DictionaryStringJsonElementArray, cancellationToken).ConfigureAwait(false);
        return body.TryGetValue(name, out var items) ? items : [];
    }

    /// <summary>
    /// One page of a domain view: at most <paramref name="limit"/> entities (1 to 500) whose ids
    /// come after <paramref name="after"/>, in id order. <see cref="DomainPage.NextAfter"/> is the
    /// <paramref name="after"/> of the following page, null after the last (which may be empty
    /// when the highest ids were deleted).
    /// </summary>
    /// <exception cref="GatewayApiException">400 naming <c>limit</c> or <c>after</c> when out of range.</exception>
    public async Task<DomainPage> ListDomainPageAsync(string circle, DomainView view, long after = 0, int limit = 500,
        CancellationToken cancellationToken = default)
    {
        var name = ViewPath(view);
        var (body, next) = await SendPageAsync(
            new HttpRequestMessage(HttpMethod.Get, $"{CirclePath(circle)}/{name}?after={after.ToString(CultureInfo.InvariantCulture)}&limit={limit.ToString(CultureInfo.InvariantCulture)}"),
            ClientJson.Default.DictionaryStringJsonElementArray, "after", cancellationToken).ConfigureAwait(false);
        return new DomainPage(body.TryGetValue(name, out var items) ? items : [], next is null ? null : long.Parse(next, CultureInfo.InvariantCulture));
    }

    /// <summary>Every entity of one domain view, read as <typeparamref name="T"/> with source-generated metadata.</summary>
    public async Task<IReadOnlyList<T>> ListDomainAsync<T>(string circle, DomainView view, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var items = await ListDomainAsync(circle, view, cancellationToken).ConfigureAwait(false);
        return items.Select(i => i.Deserialize(typeInfo)!).ToArray();
    }

    /// <summary>One entity of a domain view by its id.</summary>
    /// <exception cref="GatewayApiException">404 when the circle has no such entity.</exception>
    public Task<JsonElement> GetDomainAsync(string circle, DomainView view, long id, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{CirclePath(circle)}/{ViewPath(view)}/{id}"), ClientJson.Default.JsonElement, cancellationToken);

    /// <summary>One entity of a domain view, read as <typeparamref name="T"/> with source-generated metadata.</summary>
    public async Task<T?> GetDomainAsync<T>(string circle, DomainView view, long id, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var element = await GetDomainAsync(circle, view, id, cancellationToken).ConfigureAwait(false);
        return element.Deserialize(typeInfo);
    }

    /// <summary>
    /// Deletes one entity of a domain view; its bytes count no more against the circle's limit.
    /// Entities that refer to it are left as they are.
    /// </summary>
    /// <exception cref="GatewayApiException">404 when the circle has no such entity (not when an attempt sent again finds it gone).</exception>
    public Task DeleteDomainAsync(string circle, DomainView view, long id, CancellationToken cancellationToken = default) =>
        SendNoBodyAsync(new HttpRequestMessage(HttpMethod.Delete, $"{CirclePath(circle)}/{ViewPath(view)}/{id.ToString(CultureInfo.InvariantCulture)}"), cancellationToken);

    private static string ViewPath(DomainView view) => view switch
    {
        DomainView.Calendars => "calendars",
        DomainView.Events => "events",
        DomainView.Flows => "flows",
        DomainView.Contracts => "contracts",
        _ => throw new ArgumentOutOfRangeException(nameof(view), view, "Not a domain view."),
    };
}
