using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Modules;

/// <summary>
/// The domain views page by id with <c>?limit</c> and <c>?after</c>; the <c>Link</c> header names
/// the next page. An operator deletes one entity by id.
/// </summary>
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
    public async Task WhenTheHighestIdsWereDeleted_TheNextPageProvesEmpty_AndNamesNoOther()
    {
        var circle = await SixEventsAsync();
        await Run(circle, "calendar.deleteEvent(6); calendar.deleteEvent(7)");

        var first = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/events?limit=3&after=3"));
        Assert.That(Ids(first), Is.EqualTo(new long[] { 4, 5 }));
        var full = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/events?limit=2&after=3"));
        Assert.That(Ids(full), Is.EqualTo(new long[] { 4, 5 }));
        Assert.That(NextLink(full), Is.EqualTo($"</api/circles/{circle}/events?after=5&limit=2>; rel=\"next\""));
        var empty = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/events?limit=2&after=5"));
        Assert.That(Ids(empty), Is.Empty);
        Assert.That(NextLink(empty), Is.Null);
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
        var farthest = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/events?after={long.MaxValue}&limit=500"));
        Assert.That(farthest.Status, Is.EqualTo(HttpStatusCode.OK), farthest.ToString());
        Assert.That(Ids(farthest), Is.Empty);
        Assert.That(NextLink(farthest), Is.Null);
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

    [Test]
    public async Task Delete_RemovesTheEntity_GivesItsBytesBack_AndASecondDeleteIsNotFound()
    {
        var circle = TestRedis.NewCircle("del");
        await Run(circle, "legal.createContract({ title: 'Lease', terms: 't', signers: [{ name: 'x' }] }); legal.createContract({ title: 'Kept', terms: 't', signers: [{ name: 'y' }] })");
        async Task<long> BytesAsync() =>
            (await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}"))).Body!["entityBytes"]!.GetValue<long>();
        var before = await BytesAsync();
        var kept = (await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/contracts/2"))).Body!.ToJsonString();

        var deleted = await Client.DeleteAsync($"/api/circles/{circle}/contracts/1");
        var again = await GatewayClient.ReadAsync(await Client.DeleteAsync($"/api/circles/{circle}/contracts/1"));
        var notANumber = await GatewayClient.ReadAsync(await Client.DeleteAsync($"/api/circles/{circle}/contracts/abc"));
        var otherKind = await GatewayClient.ReadAsync(await Client.DeleteAsync($"/api/circles/{circle}/flows/2"));

        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await Client.GetAsync($"/api/circles/{circle}/contracts/1")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/contracts/2"))).Body!.ToJsonString(), Is.EqualTo(kept));
        var afterOne = await BytesAsync();
        Assert.That(afterOne, Is.GreaterThan(0).And.LessThan(before), "the deleted contract's bytes are given back, the kept one's are not");
        foreach (var missing in new[] { again, notANumber, otherKind })
        {
            Assert.That(missing.Status, Is.EqualTo(HttpStatusCode.NotFound), missing.ToString());
            Assert.That(missing.Message.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        }
        Assert.That((await Run(circle, "legal.listContracts().map(c => c.title)"))!.ToJsonString(), Is.EqualTo("[\"Kept\"]"), "scripts see it gone too");
        Assert.That((await Client.DeleteAsync($"/api/circles/{circle}/contracts/2")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await BytesAsync(), Is.EqualTo(0), "with every entity gone, the count is back to nothing");
    }
}
