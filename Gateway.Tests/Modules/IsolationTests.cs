using System.Net;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Modules;

[TestFixture]
public sealed class IsolationTests : ModuleFixture
{
    [Test]
    public async Task CircleA_NeverSeesCircleBsEntities_InScriptsOrRestViews()
    {
        var a = TestRedis.NewCircle("iso-a");
        var b = TestRedis.NewCircle("iso-b");
        await Run(b, """
            const cal = calendar.createCalendar({ name: 'B only' });
            calendar.createEvent({ calendarId: cal.id, title: 'B event', start: '2026-12-01T09:00:00Z', end: '2026-12-01T10:00:00Z' });
            flow.createFlow({ name: 'B flow', steps: [{ name: 's' }] });
            legal.createContract({ title: 'B contract', terms: 't', signers: [{ name: 'x' }] });
            """);

        var seen = await Run(a, """
            [calendar.listCalendars().length, calendar.getCalendar(1), calendar.getEvent(1), flow.listFlows().length,
             flow.getFlow(1), legal.listContracts().length, legal.getContract(1)]
            """);
        Assert.That(seen!.ToJsonString(), Is.EqualTo("[0,null,null,0,null,0,null]"));

        foreach (var path in new[] { "calendars", "events", "flows", "contracts" })
        {
            var list = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{a}/{path}"));
            Assert.That(list.Body![path]!.AsArray(), Is.Empty, path);
            var one = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{a}/{path}/1"));
            Assert.That(one.Status, Is.EqualTo(HttpStatusCode.NotFound), path);

            var own = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{b}/{path}"));
            Assert.That(own.Body![path]!.AsArray(), Has.Count.EqualTo(1), path);
        }
    }

    [Test]
    public async Task RestViews_ShowWhatScriptsStored()
    {
        var circle = TestRedis.NewCircle("views");
        await Run(circle, "legal.createContract({ title: 'Lease', terms: 't', signers: [{ name: 'x', email: 'x@example.com' }] })");

        var contract = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/contracts/1"));

        Assert.That(contract.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(contract.Body!["title"]!.GetValue<string>(), Is.EqualTo("Lease"));
        Assert.That(contract.Body!["signers"]![0]!["email"]!.GetValue<string>(), Is.EqualTo("x@example.com"));
        var bad = await GatewayClient.ReadAsync(await Client.GetAsync($"/api/circles/{circle}/contracts/abc"));
        Assert.That(bad.Status, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
