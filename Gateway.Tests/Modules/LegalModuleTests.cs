using System.Collections.Concurrent;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Modules;

[TestFixture]
public sealed class LegalModuleTests : ModuleFixture
{
    private const string Setup = """
        const c = legal.createContract({ title: 'NDA', description: 'mutual', terms: 'v1 terms',
          signers: [{ name: 'alice', email: 'a@example.com' }, { name: 'bob', email: 'b@example.com' }],
          startDate: '2026-12-01', endDate: '2027-12-01' });
        """;

    [Test]
    public async Task CreateContract_IsADraftAtVersion1()
    {
        var result = await Run(TestRedis.NewCircle("legal"), Setup + "[c, legal.getContract(c.id), legal.getContract(5)]");

        var created = result![0]!;
        Assert.That(created["status"]!.GetValue<string>(), Is.EqualTo("draft"));
        Assert.That(created["version"]!.GetValue<double>(), Is.EqualTo(1));
        Assert.That(created["revisions"]![0]!["terms"]!.GetValue<string>(), Is.EqualTo("v1 terms"));
        Assert.That(created["revisions"]![0]!["comment"], Is.Null);
        Assert.That(created["signers"]!.ToJsonString(), Is.EqualTo(
            "[{\"name\":\"alice\",\"email\":\"a@example.com\",\"status\":\"pending\",\"signedAt\":null,\"reason\":null}," +
            "{\"name\":\"bob\",\"email\":\"b@example.com\",\"status\":\"pending\",\"signedAt\":null,\"reason\":null}]"));
        Assert.That(created["startDate"]!.GetValue<string>(), Is.EqualTo("2026-12-01T00:00:00.000Z"));
        Assert.That(result[1]!.ToJsonString(), Is.EqualTo(created.ToJsonString()));
        Assert.That(result[2], Is.Null);
    }

    [Test]
    public async Task ReviseSendSign_TakesItToSigned()
    {
        var result = await Run(TestRedis.NewCircle("legal"), Setup + """
            const revised = legal.revise(c.id, { terms: 'v2 terms', comment: 'tightened' });
            const sent = legal.send(c.id);
            const half = legal.sign(c.id, 'alice');
            const done = legal.sign(c.id, 'bob');
            [revised.version, revised.revisions.map(r => r.comment), sent.status, half.status, done.status,
             done.signers.every(s => s.status === 'signed' && s.signedAt !== null),
             legal.listContracts({ status: 'signed' }).length, legal.listContracts({ status: 'draft' }).length]
            """);

        Assert.That(result!.ToJsonString(), Is.EqualTo("[2,[null,\"tightened\"],\"pending_signatures\",\"pending_signatures\",\"signed\",true,1,0]"));
    }

    [Test]
    public async Task RejectAndCancel_EndTheContract()
    {
        var result = await Run(TestRedis.NewCircle("legal"), Setup + """
            legal.send(c.id);
            const rejected = legal.reject(c.id, 'bob', 'terms too broad');
            const d = legal.createContract({ title: 'Other', terms: 't', signers: [{ name: 'x' }] });
            const cancelled = legal.cancel(d.id);
            [rejected.status, rejected.signers[1].status, rejected.signers[1].reason, cancelled.status]
            """);

        Assert.That(result!.ToJsonString(), Is.EqualTo("[\"rejected\",\"rejected\",\"terms too broad\",\"cancelled\"]"));
    }

    [TestCase("legal.send(c.id); legal.sign(c.id, 'alice'); legal.sign(c.id, 'bob'); legal.revise(c.id, { terms: 'x' })",
        "contract 1 is signed; only a draft can be revised")]
    [TestCase("legal.send(c.id); legal.send(c.id)", "only a draft can be sent")]
    [TestCase("legal.sign(c.id, 'alice')", "contract 1 is draft; only a contract awaiting signatures can be signed")]
    [TestCase("legal.send(c.id); legal.sign(c.id, 'mallory')", "mallory is not a signer of contract 1")]
    [TestCase("legal.send(c.id); legal.sign(c.id, 'alice'); legal.sign(c.id, 'alice')", "alice has already signed contract 1")]
    [TestCase("legal.reject(c.id, 'alice', 'no')", "only a contract awaiting signatures can be rejected")]
    [TestCase("legal.send(c.id); legal.sign(c.id, 'alice'); legal.sign(c.id, 'bob'); legal.cancel(c.id)", "contract 1 is signed; only a draft or a contract awaiting signatures can be cancelled")]
    [TestCase("legal.revise(c.id, { comment: 'no terms' })", "terms is required")]
    [TestCase("legal.createContract({ title: 't', terms: 't', signers: [] })", "at least one signer")]
    [TestCase("legal.createContract({ title: 't', terms: 't', signers: [{ name: 'a' }], startDate: '2027-01-01', endDate: '2026-01-01' })", "must be after startDate")]
    [TestCase("legal.createContract({ title: 't', terms: 't', signers: [{ name: 'a' }, { name: 'a' }] })", "must not repeat")]
    [TestCase("legal.send(12)", "contract 12 does not exist")]
    [TestCase("legal.listContracts({ status: 'open' })", "draft, pending_signatures, signed, rejected, cancelled")]
    public async Task InvalidLegalOperation_ThrowsAnErrorSayingWhy(string call, string says)
    {
        var message = await Fails(TestRedis.NewCircle("legal"), Setup + call);

        Assert.That(message, Does.Contain(says));
    }

    [Test]
    public async Task FiftyConcurrentSignatures_OfOneContract_AreAllRecorded_AndSignedIsReachedOnce()
    {
        var circle = TestRedis.NewCircle("sign50");
        var names = Enumerable.Range(0, 50).Select(i => $"signer{i}").ToArray();
        var created = await Run(circle, "const c = legal.createContract({ title: 'Big', terms: 't', signers: args.names.map(name => ({ name })) }); legal.send(c.id).id",
            new { names });
        var id = created!.GetValue<double>();

        var statuses = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 50 }, async (name, _) =>
        {
            var signed = await Run(circle, "legal.sign(args.id, args.name).status", new { id, name });
            statuses.Add(signed!.GetValue<string>());
        });

        Assert.That(statuses.Count(s => s == "signed"), Is.EqualTo(1), "exactly one signature completes the contract");
        var contract = await Run(circle, "legal.getContract(args.id)", new { id });
        Assert.That(contract!["status"]!.GetValue<string>(), Is.EqualTo("signed"));
        Assert.That(contract["signers"]!.AsArray().Count(s => s!["status"]!.GetValue<string>() == "signed"), Is.EqualTo(50));
    }
}
