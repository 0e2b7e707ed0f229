using System.Text.Json;

namespace Gateway.Scripting.Modules;

/// <summary><c>flow</c>: flows of ordered steps, each of which may require signatures.</summary>
internal static class FlowModule
{
    private static readonly string[] Statuses = ["created", "in_progress", "completed", "failed"];

    public static DomainModule Definition { get; } = new("flow",
    [
        new("createFlow", 1, (s, a) => ModuleScope.Write(Create(s, s.Input(a[0], "the flow", ModuleJson.Default.FlowInput)), ModuleJson.Default.Flow)),
        new("getFlow", 1, (s, a) => s.Get(ModelKinds.Flow, a[0])),
        new("listFlows", 0, 1, (s, a) => ModuleScope.Write(s.ListByStatus(ModelKinds.Flow, a[0], Statuses, ModuleJson.Default.Flow, f => f.Status), ModuleJson.Default.IReadOnlyListFlow)),
        new("start", 1, (s, a) => Change(s, a, f => f.Status == "created"
            ? f with { Status = "in_progress", Steps = Activate(f.Steps, 0) }
            : throw ModuleScope.Invalid($"flow {f.Id} is {f.Status}; only a created flow can be started."))),
        new("sign", 3, (s, a) => Change(s, a, f =>
        {
            var step = CurrentStep(f, a[1]);
            var name = ModuleScope.Text(a[2], "the signer's name");
            var signer = step.Signers.FirstOrDefault(x => x.Name == name)
                ?? throw ModuleScope.Invalid($"{name} is not a required signer of step {step.Index} of flow {f.Id}.");
            if (signer.SignedAt is not null)
                throw ModuleScope.Invalid($"{name} has already signed step {step.Index} of flow {f.Id}.");
            var signed = step with { Signers = step.Signers.Select(x => x.Name == name ? x with { SignedAt = s.Now } : x).ToArray() };
            return f with { Steps = f.Steps.Select(x => x.Index == step.Index ? signed : x).ToArray() };
        })),
        new("completeStep", 2, (s, a) => Change(s, a, f =>
        {
            var step = CurrentStep(f, a[1]);
            var missing = step.Signers.Where(x => x.SignedAt is null).Select(x => x.Name).ToArray();
            if (missing.Length > 0)
                throw ModuleScope.Invalid($"step {step.Index} of flow {f.Id} still needs the signature of {string.Join(", ", missing)}.");
            var steps = f.Steps.Select(x => x.Index == step.Index ? x with { Status = "completed" } : x).ToArray();
            var last = step.Index == f.Steps.Count - 1;
            return last
                ? f with { Status = "completed", Steps = steps }
                : f with { CurrentStep = step.Index + 1, Steps = Activate(steps, step.Index + 1) };
        })),
        new("fail", 2, (s, a) => Change(s, a, f => f.Status is "completed" or "failed"
            ? throw ModuleScope.Invalid($"flow {f.Id} is {f.Status}; it can no longer fail.")
            : f with { Status = "failed", FailureReason = ModuleScope.Text(a[1], "the reason") })),
    ]);

    private static Flow Create(ModuleScope scope, FlowInput input)
    {
        var name = ModuleScope.Required(input.Name, "name");
        if (input.Steps is not { Count: > 0 } steps)
            throw ModuleScope.Invalid("a flow needs at least one step.");
        var built = steps.Select((s, i) =>
        {
            var signers = (s?.Signers ?? []).Select(n => new StepSigner(ModuleScope.Required(n, $"a signer of step {i}"), null)).ToArray();
            if (signers.Select(x => x.Name).Distinct().Count() != signers.Length)
                throw ModuleScope.Invalid($"the signers of step {i} must not repeat a name.");
            return new FlowStep(i, ModuleScope.Required(s?.Name, $"the name of step {i}"), "pending", signers);
        }).ToArray();
        return scope.Create(ModelKinds.Flow, id => new Flow(id, name, "created", 0, built, null, scope.Now), ModuleJson.Default.Flow);
    }

    private static FlowStep CurrentStep(Flow flow, JsonElement index)
    {
        if (flow.Status != "in_progress")
            throw ModuleScope.Invalid($"flow {flow.Id} is {flow.Status}; only a flow in progress takes signatures and completes steps.");
        var at = index.ValueKind == JsonValueKind.Number ? index.GetDouble() : double.NaN;
        if (at != flow.CurrentStep)
            throw ModuleScope.Invalid($"step {ModuleScope.Describe(index)} is not the current step of flow {flow.Id} (the current step is {flow.CurrentStep}).");
        return flow.Steps[flow.CurrentStep];
    }

    private static FlowStep[] Activate(IReadOnlyList<FlowStep> steps, int index) =>
        steps.Select(s => s.Index == index ? s with { Status = "in_progress" } : s).ToArray();

    /// <summary>A change of the flow the first argument names.</summary>
    private static string Change(ModuleScope scope, ModuleArgs a, Func<Flow, Flow> change) =>
        scope.Change(ModelKinds.Flow, a[0], ModuleJson.Default.Flow, change);
}
