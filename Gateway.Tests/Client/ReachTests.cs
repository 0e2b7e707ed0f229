using TypedClient = Gateway.Client.GatewayClient;
using Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Client;

/// <summary>
/// Every operation of the API reaches the typed client and <c>gw</c>: an endpoint added without
/// them fails here, by its name (the document's operationId). What each call does is tested with
/// its own fixture; this one keeps the map whole.
/// </summary>
[TestFixture]
public sealed class ReachTests : ApiFixture
{
    /// <summary>The operation → the <see cref="TypedClient"/> method that calls it, and the gw command that does.</summary>
    private static readonly Dictionary<string, (string Client, string Gw)> Reach = new()
    {
        ["SubmitTask"] = (nameof(TypedClient.SubmitAsync), "submit"),
        ["SubmitTasks"] = (nameof(TypedClient.SubmitBatchAsync), "batch"),
        ["GetTask"] = (nameof(TypedClient.GetAsync), "get"),
        ["GetTaskSource"] = (nameof(TypedClient.GetSourceAsync), "source"),
        ["CancelTask"] = (nameof(TypedClient.CancelAsync), "cancel"),
        ["RetryTask"] = (nameof(TypedClient.RetryAsync), "retry"),
        ["RetryFailedTasks"] = (nameof(TypedClient.RetryFailedAsync), "retry-failed"),
        ["ListTasks"] = (nameof(TypedClient.ListTasksPageAsync), "tasks"),
        ["TaskEvents"] = (nameof(TypedClient.WatchAsync), "watch"),
        ["CircleTaskEvents"] = (nameof(TypedClient.WatchCircleAsync), "stream"),
        ["AllTaskEvents"] = (nameof(TypedClient.WatchAllAsync), "stream"),
        ["ListCircles"] = (nameof(TypedClient.ListCirclesAsync), "circles"),
        ["GetCircle"] = (nameof(TypedClient.GetCircleAsync), "circles"),
        ["PauseCircle"] = (nameof(TypedClient.PauseCircleAsync), "pause"),
        ["ResumeCircle"] = (nameof(TypedClient.ResumeCircleAsync), "resume"),
        ["DrainCircle"] = (nameof(TypedClient.DrainCircleAsync), "drain"),
        ["ListWorkers"] = (nameof(TypedClient.ListWorkersAsync), "workers"),
        ["GetHealth"] = (nameof(TypedClient.GetHealthAsync), "health"),
        ["PutScript"] = (nameof(TypedClient.PutScriptAsync), "scripts put"),
        ["GetScript"] = (nameof(TypedClient.GetScriptAsync), "scripts get"),
        ["ListScripts"] = (nameof(TypedClient.ListScriptsAsync), "scripts list"),
        ["DeleteScript"] = (nameof(TypedClient.DeleteScriptAsync), "scripts delete"),
        ["PutSchedule"] = (nameof(TypedClient.PutScheduleAsync), "schedules put"),
        ["GetSchedule"] = (nameof(TypedClient.GetScheduleAsync), "schedules get"),
        ["ListSchedules"] = (nameof(TypedClient.ListSchedulesAsync), "schedules list"),
        ["DeleteSchedule"] = (nameof(TypedClient.DeleteScheduleAsync), "schedules delete"),
        // The domain views, one operation per view and verb, share one call each.
        ["ListCalendars"] = (nameof(TypedClient.ListDomainPageAsync), "entities"),
        ["GetCalendar"] = (nameof(TypedClient.GetDomainAsync), "entities"),
        ["DeleteCalendar"] = (nameof(TypedClient.DeleteDomainAsync), "entities"),
        ["ListEvents"] = (nameof(TypedClient.ListDomainPageAsync), "entities"),
        ["GetEvent"] = (nameof(TypedClient.GetDomainAsync), "entities"),
        ["DeleteEvent"] = (nameof(TypedClient.DeleteDomainAsync), "entities"),
        ["ListFlows"] = (nameof(TypedClient.ListDomainPageAsync), "entities"),
        ["GetFlow"] = (nameof(TypedClient.GetDomainAsync), "entities"),
        ["DeleteFlow"] = (nameof(TypedClient.DeleteDomainAsync), "entities"),
        ["ListContracts"] = (nameof(TypedClient.ListDomainPageAsync), "entities"),
        ["GetContract"] = (nameof(TypedClient.GetDomainAsync), "entities"),
        ["DeleteContract"] = (nameof(TypedClient.DeleteDomainAsync), "entities"),
    };

    [Test]
    public void EveryApiOperation_IsMapped_ToAPublicClientMethod()
    {
        var operations = Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? $"(unnamed) {e.RoutePattern.RawText}")
            .ToArray();

        Assert.That(operations, Is.Unique);
        Assert.That(operations, Is.EquivalentTo(Reach.Keys), "an operation without a row here, or a row for an operation that is gone");
        var methods = typeof(TypedClient).GetMethods().Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Multiple(() =>
        {
            foreach (var (operation, (client, _)) in Reach)
                Assert.That(methods, Does.Contain(client), operation);
        });
    }

    [Test]
    public async Task EveryGwCommandOfTheMap_IsACommandOfGw()
    {
        var wanted = Reach.Values.Select(r => r.Gw).Distinct().ToArray();
        var groups = wanted.Where(c => c.Contains(' ')).Select(c => c.Split(' ')[0]).Distinct();
        var known = new HashSet<string>(StringComparer.Ordinal);
        known.UnionWith(await CommandsAsync([]));
        foreach (var group in groups)
            known.UnionWith((await CommandsAsync([group])).Select(c => $"{group} {c}"));

        Assert.That(wanted, Is.SubsetOf(known), string.Join(", ", known.Order()));
    }

    /// <summary>The commands <c>gw [group] --help</c> lists.</summary>
    private static async Task<string[]> CommandsAsync(string[] group)
    {
        var help = await GwProcess.RunAsync([.. group, "--help"]);
        Assert.That(help.ExitCode, Is.EqualTo(0), help.ToString());
        var section = help.Stdout.Split("Commands:", 2);
        Assert.That(section, Has.Length.EqualTo(2), help.ToString());
        return section[1].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ')[0])
            .ToArray();
    }
}
