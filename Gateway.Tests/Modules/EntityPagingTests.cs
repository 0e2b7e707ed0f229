using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Modules;

/// <summary>The domain views page by id with <c>?limit</c> and <c>?after</c>; the <c>Link</c> header names the next page.</summary>
[TestFixture]
public sealed class EntityPagingTests : ModuleFixture
{
    /// <summary>Seven events, the second deleted: ids 1 and 3 to 7 remain.</summary>
    private async Task<string> SixEventsAsync()
    {
        var circle = TestRedis.NewCircle("pages");
        await Run(circle, """
            const cal = calendar.createCalendar({ name: 'Team' });
            for (let i = 1; i <= 7; i++)
              calendar.createEvent({ calendarId: cal.id, title: 'e' + i, start: '2026-12-01T09:00:00Z', end: '2026-12-01T10:00:00Z' });
            calendar.deleteEvent(2);
            """);
        return circle;
    }

    private static long[] Ids(ApiResponse page) =>
        page.Body!["events"]!.AsArray().Select(e => e!["id"]!.GetValue<long>()).ToArray();

    private static string? NextLink(ApiResponse page) =>
        page.Message.Headers.TryGetValues("Link", out var values) ? values.Single() : null;

    [Test]
    public async Task Pages_FollowTheLinkHeader_InIdOrder_UntilTheLastHasNone()
    {
        var circle = await SixEventsAsync();

        var first = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/events?limit=4"));
        Assert.That(first.Status, Is.EqualTo(HttpStatusCode.OK), first.ToString());
        Assert.That(Ids(first), Is.EqualTo(new long[] { 1, 3, 4, 5 }));
        Assert.That(NextLink(first), Is.EqualTo($"</api/circles/{circle}/events?after=5&limit=4>; rel=\"next\""));

        var url = NextLink(first)![1..NextLink(first)!.IndexOf('>')];
        var second = await GatewayClient.ReadAsync(await Client.GetAsync(url));
        Assert.That(Ids(second), Is.EqualTo(new long[] { 6, 7 }));
        Assert.That(NextLink(second), Is.Null, "the last page names no next one");

        // A page that ends exactly at the last entity names none either.
        var exact = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/events?after=4&limit=3"));
        Assert.That(Ids(exact), Is.EqualTo(new long[] { 5, 6, 7 }));
        Assert.That(NextLink(exact), Is.Null);
    }

    [Test]
    public async Task WithoutLimitOrAfter_EveryEntity_AsBefore_AndAfterAlone_APageOfTheMost()
    {
        var circle = await SixEventsAsync();

        var all = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/events"));
        Assert.That(Ids(all), Is.EqualTo(new long[] { 1, 3, 4, 5, 6, 7 }));
        Assert.That(NextLink(all), Is.Null);

        var after = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/events?after=5"));
        Assert.That(Ids(after), Is.EqualTo(new long[] { 6, 7 }));
        var past = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/events?after=7"));
        Assert.That(Ids(past), Is.Empty);
    }

    [TestCase("limit=0", "limit")]
    [TestCase("limit=501", "limit")]
    [TestCase("limit=ten", "limit")]
    [TestCase("after=-1", "after")]
    [TestCase("after=x", "after")]
    [TestCase("limit=2&after=1.5", "after")]
    public async Task BadPaging_IsAProblemNamingTheField(string query, string field)
    {
        var response = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{TestRedis.NewCircle("pages")}/calendars?{query}"));

        Assert.That(response.Status, Is.EqualTo(HttpStatusCode.BadRequest), response.ToString());
        Assert.That(response.Message.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(response.Body!["errors"]![field], Is.Not.Null, response.ToString());
    }
}
