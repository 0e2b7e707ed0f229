using Jint;
using Jint.Native;
using Jint.Runtime;
using Jint.Runtime.Interop;

namespace Gateway.Scripting.Modules;

/// <summary><c>legal</c>: contracts with revisions and signers.</summary>
internal static class LegalModule
{
    private static readonly string[] Statuses = ["draft", "pending_signatures", "signed", "rejected", "cancelled"];

    public static JsValue Build(ModuleScope scope) => scope.Module("legal",
        ("createContract", a => scope.Out(Create(scope, scope.Input(a.At(0), "the contract", ModuleJson.Default.ContractInput)), ModuleJson.Default.Contract)),
        ("getContract", a => scope.Get(ModelKinds.Contract, a.At(0))),
        ("listContracts", a => scope.Out(scope.ListByStatus(ModelKinds.Contract, a.At(0), Statuses, ModuleJson.Default.Contract, c => c.Status), ModuleJson.Default.IReadOnlyListContract)),
        ("revise", a => Change(scope, a.At(0), c =>
        {
            Expect(c, "draft", "revised");
            var input = scope.Input(a.At(1), "the revision", ModuleJson.Default.RevisionInput);
            var terms = ModuleScope.Required(input.Terms, "terms");
            var version = c.Version + 1;
            return c with { Version = version, Revisions = [.. c.Revisions, new Revision(version, terms, input.Comment, scope.Now)] };
        })),
        ("send", a => Change(scope, a.At(0), c =>
        {
            Expect(c, "draft", "sent");
            return c with { Status = "pending_signatures" };
        })),
        ("sign", a => Change(scope, a.At(0), c =>
        {
            Expect(c, "pending_signatures", "signed");
            var name = PendingSigner(c, a.At(1));
            var signers = c.Signers.Select(s => s.Name == name ? s with { Status = "signed", SignedAt = scope.Now } : s).ToArray();
            return c with { Signers = signers, Status = signers.All(s => s.Status == "signed") ? "signed" : c.Status };
        })),
        ("reject", a => Change(scope, a.At(0), c =>
        {
            Expect(c, "pending_signatures", "rejected");
            var name = PendingSigner(c, a.At(1));
            var reason = ModuleScope.Text(a.At(2), "the reason");
            var signers = c.Signers.Select(s => s.Name == name ? s with { Status = "rejected", Reason = reason } : s).ToArray();
            return c with { Signers = signers, Status = "rejected" };
        })),
        ("cancel", a => Change(scope, a.At(0), c => c.Status is "draft" or "pending_signatures"
            ? c with { Status = "cancelled" }
            : throw ModuleScope.Invalid($"contract {c.Id} is {c.Status}; only a draft or a contract awaiting signatures can be cancelled."))));

    private static Contract Create(ModuleScope scope, ContractInput input)
    {
        var title = ModuleScope.Required(input.Title, "title");
        var terms = ModuleScope.Required(input.Terms, "terms");
        if (input.Signers is not { Count: > 0 } signers)
            throw ModuleScope.Invalid("a contract needs at least one signer.");
        var built = signers.Select((s, i) => new ContractSigner(ModuleScope.Required(s?.Name, $"the name of signer {i}"), s?.Email, "pending", null, null)).ToArray();
        if (built.Select(s => s.Name).Distinct().Count() != built.Length)
            throw ModuleScope.Invalid("signers must not repeat a name.");
        var start = input.StartDate is null ? null : ModuleScope.Date(input.StartDate, "startDate");
        var end = input.EndDate is null ? null : ModuleScope.Date(input.EndDate, "endDate");
        if (start is not null && end is not null && ModuleScope.Parse(end) <= ModuleScope.Parse(start))
            throw ModuleScope.Invalid($"endDate ({end}) must be after startDate ({start}).");
        return scope.Create(ModelKinds.Contract,
            id => new Contract(id, title, input.Description, "draft", 1, [new Revision(1, terms, null, scope.Now)], built, start, end, scope.Now),
            ModuleJson.Default.Contract);
    }

    private static void Expect(Contract contract, string status, string action)
    {
        if (contract.Status != status)
        {
            var only = status == "draft" ? "a draft" : "a contract awaiting signatures";
            throw ModuleScope.Invalid($"contract {contract.Id} is {contract.Status}; only {only} can be {action}.");
        }
    }

    private static string PendingSigner(Contract contract, JsValue nameValue)
    {
        var name = ModuleScope.Text(nameValue, "the signer's name");
        var signer = contract.Signers.FirstOrDefault(s => s.Name == name)
            ?? throw ModuleScope.Invalid($"{name} is not a signer of contract {contract.Id}.");
        if (signer.Status != "pending")
            throw ModuleScope.Invalid($"{name} has already {signer.Status} contract {contract.Id}.");
        return name;
    }

    private static JsValue Change(ModuleScope scope, JsValue id, Func<Contract, Contract> change) =>
        scope.Change(ModelKinds.Contract, id, ModuleJson.Default.Contract, change);
}
