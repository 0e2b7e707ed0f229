namespace Gateway.Scripting.Modules;

// The entities of the domain modules, as stored (JSON) and as scripts and the REST views see them.
// Dates are ISO 8601 strings in UTC ("2026-11-28T09:00:00.000Z").

public sealed record Calendar(long Id, string Name, string? Description, string CreatedAt);

public sealed record Attendee(string Name, string Status);

public sealed record CalendarEvent(
    long Id,
    long CalendarId,
    string Title,
    string Start,
    string End,
    string? Location,
    string? Description,
    bool Cancelled,
    IReadOnlyList<Attendee> Attendees);

public sealed record StepSigner(string Name, string? SignedAt);

public sealed record FlowStep(int Index, string Name, string Status, IReadOnlyList<StepSigner> Signers);

public sealed record Flow(
    long Id,
    string Name,
    string Status,
    int CurrentStep,
    IReadOnlyList<FlowStep> Steps,
    string? FailureReason,
    string CreatedAt);

public sealed record Revision(int Version, string Terms, string? Comment, string CreatedAt);

public sealed record ContractSigner(string Name, string? Email, string Status, string? SignedAt, string? Reason);

public sealed record Contract(
    long Id,
    string Title,
    string? Description,
    string Status,
    int Version,
    IReadOnlyList<Revision> Revisions,
    IReadOnlyList<ContractSigner> Signers,
    string? StartDate,
    string? EndDate,
    string CreatedAt);

/// <summary>The storage kinds, as they appear in Redis keys and REST paths.</summary>
public static class ModelKinds
{
    public const string Calendar = "calendar";
    public const string Event = "event";
    public const string Flow = "flow";
    public const string Contract = "contract";
}
