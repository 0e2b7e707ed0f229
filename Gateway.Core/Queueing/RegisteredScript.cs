namespace Gateway.Core.Queueing;

/// <summary>
/// One version of a script registered under a name in a circle. Versions count from 1 and are by
/// content: registering the latest version's text again makes no new one. <see cref="Text"/> is
/// null when only the description was read (listings).
/// </summary>
public sealed record RegisteredScript(string Name, int Version, string Sha256, string Language, string Description, DateTimeOffset CreatedAt)
{
    public string? Text { get; init; }
}

/// <summary>What registering a script did: a first version of a new name, a new version, or nothing (same text).</summary>
public sealed record ScriptRegistration(RegisteredScript Script, bool NewName, bool NewVersion);
