using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Modules;

[TestFixture]
public sealed class FlowModuleTests : ModuleFixture
{
    private const string Setup = """
        const f = flow.createFlow({ name: 'Onboarding', steps: [{ name: 'review', signers: ['bob', 'carol'] }, { name: 'approve', signers: [] }] });
        """;

    [Test]
    public async Task CreateFlow_StartsCreated_WithPendingSteps()
    {
        var result = await Run(TestRedis.NewCircle("flow"), Setup + "[f, flow.getFlow(f.id), flow.getFlow(99)]");

        var created = result![0]!;
        Assert.That(created["status"]!.GetValue<string>(), Is.EqualTo("created"));
        Assert.That(created["currentStep"]!.GetValue<double>(), Is.Zero);
        Assert.That(created["steps"]!.ToJsonString(), Is.EqualTo(
            "[{\"index\":0,\"name\":\"review\",\"status\":\"pending\",\"signers\":[{\"name\":\"bob\",\"signedAt\":null},{\"name\":\"carol\",\"signedAt\":null}]}," +
            "{\"index\":1,\"name\":\"approve\",\"status\":\"pending\",\"signers\":[]}]"));
        Assert.That(result[1]!.ToJsonString(), Is.EqualTo(created.ToJsonString()));
        Assert.That(result[2], Is.Null);
    }

    [Test]
    public async Task AFlowRunsToTheEnd_StepByStep_WithItsSignatures()
    {
        var result = await Run(TestRedis.NewCircle("flow"), Setup + """
            const started = flow.start(f.id);
            flow.sign(f.id, 0, 'bob');
            const signed = flow.sign(f.id, 0, 'carol');
            const next = flow.completeStep(f.id, 0);
            const done = flow.completeStep(f.id, 1);
            [started.status, started.steps[0].status, signed.steps[0].signers.every(s => s.signedAt !== null),
             next.currentStep, next.steps[0].status, next.steps[1].status, done.status,
             flow.listFlows({ status: 'completed' }).length, flow.listFlows({ status: 'created' }).length, flow.listFlows().length]
            """);

        Assert.That(result!.ToJsonString(), Is.EqualTo("[\"in_progress\",\"in_progress\",true,1,\"completed\",\"in_progress\",\"completed\",1,0,1]"));
    }

    [Test]
    public async Task Fail_EndsTheFlowWithItsReason()
    {
        var result = await Run(TestRedis.NewCircle("flow"), Setup + "flow.start(f.id); flow.fail(f.id, 'budget cut')");

        Assert.That(result!["status"]!.GetValue<string>(), Is.EqualTo("failed"));
        Assert.That(result["failureReason"]!.GetValue<string>(), Is.EqualTo("budget cut"));
    }

    [TestCase("flow.createFlow({ name: 'x', steps: [] })", "at least one step")]
    [TestCase("flow.createFlow({ steps: [{ name: 's' }] })", "name is required")]
    [TestCase("flow.start(f.id); flow.start(f.id)", "only a created flow can be started")]
    [TestCase("flow.sign(f.id, 0, 'bob')", "flow 1 is created; only a flow in progress")]
    [TestCase("flow.start(f.id); flow.sign(f.id, 0, 'mallory')", "mallory is not a required signer of step 0")]
    [TestCase("flow.start(f.id); flow.sign(f.id, 1, 'bob')", "step 1 is not the current step")]
    [TestCase("flow.start(f.id); flow.sign(f.id, 0, 'bob'); flow.sign(f.id, 0, 'bob')", "bob has already signed step 0")]
    [TestCase("flow.start(f.id); flow.sign(f.id, 0, 'bob'); flow.completeStep(f.id, 0)", "still needs the signature of carol")]
    [TestCase("flow.start(f.id); flow.fail(f.id, 'x'); flow.fail(f.id, 'y')", "flow 1 is failed; it can no longer fail")]
    [TestCase("flow.start(f.id); flow.fail(f.id, 'x'); flow.completeStep(f.id, 0)", "flow 1 is failed")]
    [TestCase("flow.start(77)", "flow 77 does not exist")]
    [TestCase("flow.listFlows({ status: 'done' })", "created, in_progress, completed, failed")]
    public async Task InvalidFlowOperation_ThrowsAnErrorSayingWhy(string call, string says)
    {
        var message = await Fails(TestRedis.NewCircle("flow"), Setup + call);

        Assert.That(message, Does.Contain(says));
    }
}
