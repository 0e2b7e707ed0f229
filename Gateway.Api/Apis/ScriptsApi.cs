using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Api.Apis;

/// <summary>A circle's registered scripts: submit by <c>scriptName</c> instead of sending the text each time.</summary>
public static class ScriptsApi
{
    public static RouteGroupBuilder MapScriptsApi(this RouteGroupBuilder api) =>
        api.MapNamedResources<ScriptRequest>("Script", Put, List, Get, Delete).Group;

    /// <summary>201 for the first version of a name, 200 for a new version or the same text again.</summary>
    [EndpointSummary("Register a script under a name: a new version when its text differs from the latest, else the latest, with the description given.")]
    public static async Task<Results<Created<ScriptView>, Ok<ScriptView>, ProblemHttpResult>> Put(
        [AsParameters] NamedPut put, ScriptRegistry registry, CancellationToken cancellationToken)
    {
        var (body, problem) = await put.ReadAsync<ScriptRequest>(cancellationToken);
        if (problem is not null)
            return problem;

        var errors = new Dictionary<string, string[]>();
        RequestReader.ValidateScript(body!.Script, scriptName: null, scriptVersion: null, put.Limits, field: "", errors);
        RequestReader.ValidateLanguage(body.Language, field: "", errors);
        if (body.Description is { Length: > MaxDescription })
            RequestReader.Add(errors, "description", $"description may have at most {MaxDescription} characters.");
        if (errors.Count > 0)
            return RequestReader.Invalid(errors);

        var registered = await registry.RegisterAsync(put.Circle, put.Name, body.Script!, (body.Language ?? "javascript").ToLowerInvariant(), body.Description);
        return NamedResources.Put(registered.NewName, $"/api/circles/{put.Circle}/scripts/{put.Name}", ScriptView.From(registered.Script, withText: false));
    }

    [EndpointSummary("The latest version of every registered script of the circle, without their text.")]
    public static async Task<Ok<ScriptListView>> List(string circle, ScriptRegistry registry) =>
        TypedResults.Ok(new ScriptListView((await registry.ListAsync(circle)).Select(s => ScriptView.From(s, withText: false)).ToArray()));

    [EndpointSummary("One registered script with its text: the latest version, or ?version=N.")]
    public static async Task<Results<Ok<ScriptView>, ProblemHttpResult>> Get(
        string circle, string name, [FromQuery] string? version, ScriptRegistry registry)
    {
        int? number = null;
        if (version is not null)
        {
            if (!int.TryParse(version, out var parsed) || parsed < 1)
                return RequestReader.Invalid("version", "version must be a whole number from 1.");
            number = parsed;
        }
        var script = await registry.GetAsync(circle, name, number);
        return script is null
            ? NamedScripts.Unknown(circle, name, number, "name")
            : TypedResults.Ok(ScriptView.From(script, withText: true));
    }

    [EndpointSummary("Remove a registered script and all its versions; tasks already submitted still run.")]
    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string circle, string name, ScriptRegistry registry) =>
        await registry.DeleteAsync(circle, name)
            ? TypedResults.NoContent()
            : NamedScripts.Unknown(circle, name, null, "name");

    private const int MaxDescription = 1000;
}

/// <summary>The body of a script registration.</summary>
public sealed record ScriptRequest
{
    /// <summary>The script's text.</summary>
    public string? Script { get; init; }

    /// <summary><c>javascript</c> (the default).</summary>
    public string? Language { get; init; }

    /// <summary>Free text for people, up to 1000 characters; left out, the latest version's is kept.</summary>
    public string? Description { get; init; }
}

/// <summary>One version of a registered script; <see cref="Script"/> (its text) only when one script is read.</summary>
public sealed record ScriptView(
    string Name,
    int Version,
    string Sha256,
    string Language,
    string Description,
    DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Script)
{
    public static ScriptView From(RegisteredScript script, bool withText) =>
        new(script.Name, script.Version, script.Sha256, script.Language, script.Description, script.CreatedAt, withText ? script.Text : null);
}

/// <summary>The registered scripts of a circle.</summary>
public sealed record ScriptListView(IReadOnlyList<ScriptView> Scripts);
