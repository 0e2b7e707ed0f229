using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Api.Apis;

/// <summary>
/// Turns tasks submitted with a <c>scriptName</c> into tasks carrying the registered text. The
/// text is copied into each task, so a later delete or new version of the script never changes
/// a task already submitted; the workers' parse cache is keyed by the text, so a named script is
/// parsed once per process however many tasks run it.
/// </summary>
internal static class NamedScripts
{
    /// <summary>The tasks with their scripts filled in, or a 404 naming the first task whose script (or version) is unknown.</summary>
    public static async Task<(NewTask[]? Tasks, ProblemHttpResult? Problem)> ResolveAsync(
        ScriptRegistry registry, string circle, IReadOnlyList<NewTask> tasks, Func<int, string> field)
    {
        var wanted = tasks.Where(t => t.ScriptName is not null).Select(t => (t.ScriptName!, t.ScriptVersion)).Distinct().ToArray();
        var found = new Dictionary<(string, int?), RegisteredScript?>();
        var reads = await Task.WhenAll(wanted.Select(w => registry.GetAsync(circle, w.Item1, w.ScriptVersion)));
        for (var i = 0; i < wanted.Length; i++)
            found[wanted[i]] = reads[i];

        var resolved = new NewTask[tasks.Count];
        for (var i = 0; i < tasks.Count; i++)
        {
            var task = tasks[i];
            if (task.ScriptName is not { } name)
            {
                resolved[i] = task;
                continue;
            }
            if (found[(name, task.ScriptVersion)] is not { } script)
                return (null, Unknown(circle, name, task.ScriptVersion, field(i)));
            resolved[i] = task with { Script = script.Text!, ScriptVersion = script.Version, Language = ScriptLanguages.Parse(script.Language) };
        }
        return (resolved, null);
    }

    public static ProblemHttpResult Unknown(string circle, string name, int? version, string field) =>
        RequestReader.NotFound(field, version is { } v
            ? $"Circle '{circle}' has no version {v} of a registered script '{name}'."
            : $"Circle '{circle}' has no registered script '{name}'.");
}
