using System.Text.Json;

namespace Gateway.Scripting.Modules;

/// <summary><c>legal</c>: contracts with revisions and signers.</summary>
internal static class LegalModule
{
    private static readonly string[] Statuses = ["draft", "pending_signatures", "signed", "rejected", "cancelled"];

    public static DomainModule Definition { get; } = new("legal",
    [
        new("createContract", 1, (s, a) => ModuleScope.Write(Create(s, s.Input(a[0], "the contract", ModuleJson.Default.ContractInput)), ModuleJson.Default.Contract)),
        new("getContract", 1, (s, a) => s.Get(ModelKinds.Contract, a[0])),
        new("listContracts", 0, 1, (s, a) => ModuleScope.Write(s.ListByStatus(ModelKinds.Contract, a[0], Statuses, ModuleJson.Default.Contract, c => c.Status), ModuleJson.Default.IReadOnlyListContract)),
        new("revise", 2, (s, a) => Change(s, a, c =>
        {
            Expect(c, "draft", "revised");
            var input = s.Input(a[1], "the revision", ModuleJson.Default.RevisionInput);
            var terms = ModuleScope.Required(input.Terms, "terms");
            var version = c.Version + 1;
            return c with { Version = version, Revisions = [.. c.Revisions, new Revision(version, terms, input.Comment, s.Now)] };
        })),
        new("send", 1, (s, a) => Change(s, a, c =>
        {
            Expect(c, "draft", "sent");
            return c with { Status = "pending_signatures" };
        })),
        new("sign", 2, (s, a) => Change(s, a, c =>
        {
            Expect(c, "pending_signatures", "signed");
            var name = PendingSigner(c, a[1]);
            var signers = c.Signers.Select(x => x.Name == name ? x with { Status = "signed", SignedAt = s.Now } : x).ToArray();
            return c with { Signers = signers, Status = signers.All(x => x.Status == "signed") ? "signed" : c.Status };
        })),
        new("reject", 3, (s, a) => Change(s, a, c =>
        {
            Expect(c, "pending_signatures", "rejected");
            var name = PendingSigner(c, a[1]);
            var reason = ModuleScope.Text(a[2], "the reason");
            var signers = c.Signers.Select(x => x.Name == name ? x with { Status = "rejected", Reason = reason } : x).ToArray();
            return c with { Signers = signers, Status = "rejected" };
        })),
        new("cancel", 1, (s, a) => Change(s, a, c => c.Status is "draft" or "pending_signatures"
            ? c with { Status = "cancelled" }
            : throw ModuleScope.Invalid($"contract {c.Id} is {c.Status}; only a draft or a contract awaiting signatures can be cancelled."))),
    ]);

    private static Contract Create(ModuleScope scope, ContractInput input)
    {
        var title = ModuleScope.Required(input.Title, "title");
        var terms = ModuleScope.Required(input.Terms, "terms");
        if (input.Signers is not { Count: > 0 } signers)
            throw ModuleScope.Invalid("a contract needs at least one signer.");
        var built = signers.Select((s, i) => new ContractSigner(ModuleScope.Required(s?.Name, $"the name of signer {i}"), s?.Email, "pending", null, null)).ToArray();
        if (built.Select(s => s.Name).Distinct().Count() != built.Length)
            throw ModuleScope.Invalid("signers must not repeat a name.");
        var startName = scope.Name("startDate");
        var endName = scope.Name("endDate");
        var start = input.StartDate is null ? null : ModuleScope.Date(input.StartDate, startName);
        var end = input.EndDate is null ? null : ModuleScope.Date(input.EndDate, endName);
        if (start is not null && end is not null && ModuleScope.Parse(end) <= ModuleScope.Parse(start))
            throw ModuleScope.Invalid($"{endName} ({end}) must be after {startName} ({start}).");
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

    private static string PendingSigner(Contract contract, JsonElement nameValue)
    {
        var name = ModuleScope.Text(nameValue, "the signer's name");
        var signer = contract.Signers.FirstOrDefault(s => s.Name == name)
            ?? throw ModuleScope.Invalid($"{name} is not a signer of contract {contract.Id}.");
        if (signer.Status != "pending")
            throw ModuleScope.Invalid($"{name} has already {signer.Status} contract {contract.Id}.");
        return name;
    }

    /// <summary>A change of the contract the first argument names.</summary>
    private static string Change(ModuleScope scope, ModuleArgs a, Func<Contract, Contract> change) =>
        scope.Change(ModelKinds.Contract, a[0], ModuleJson.Default.Contract, change);
}
