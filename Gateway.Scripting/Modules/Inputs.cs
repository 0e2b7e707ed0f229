namespace Gateway.Scripting.Modules;

// What scripts pass in. Every field is optional here; the modules say what is required.

internal sealed record CalendarInput(string? Name, string? Description);

internal sealed record EventInput(
    long? CalendarId,
    string? Title,
    string? Start,
    string? End,
    string? Location,
    string? Description,
    IReadOnlyList<string>? Attendees);

internal sealed record EventChanges(string? Title, string? Location, string? Description);

internal sealed record RangeInput(string? From, string? To);

internal sealed record StepInput(string? Name, IReadOnlyList<string>? Signers);

internal sealed record FlowInput(string? Name, IReadOnlyList<StepInput>? Steps);

internal sealed record StatusFilter(string? Status);

internal sealed record SignerInput(string? Name, string? Email);

internal sealed record ContractInput(
    string? Title,
    string? Description,
    string? Terms,
    IReadOnlyList<SignerInput>? Signers,
    string? StartDate,
    string? EndDate);

internal sealed record RevisionInput(string? Terms, string? Comment);
