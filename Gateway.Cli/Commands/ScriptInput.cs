using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Cli.Commands;

/// <summary>The script and args options of <c>gw run</c>, <c>gw submit</c>, <c>gw batch</c> and <c>gw schedules put</c>, and how they are read.</summary>
internal sealed class ScriptInput
{
    public Argument<string> File { get; } = new("FILE")
    {
        Description = "The script file, or - to read it from standard input. Its language follows the extension: .rhai is Rhai, anything else JavaScript",
    };

    public Option<string[]> Arg { get; } = new("--arg", "-a")
    {
        Description = "An argument key=value (repeatable); the value is read as JSON when it is JSON (1, true, \"x\", [1,2]), else as a string",
    };

    public Option<string?> Args { get; } = new("--args")
    {
        Description = "All arguments as one JSON value; --arg entries are added to it when it is an object",
    };

    public Option<string?> Language { get; } = new("--language", "-l")
    {
        Description = "javascript or rhai, overriding the file extension",
    };

    public Option<TimeSpan?> ScriptTimeout { get; } = CommonOptions.Duration("--script-timeout", "Wall time the script may run (server default 5s)");

    /// <summary>A registered script of the circle to run instead of FILE; null where only a file will do.</summary>
    public Option<string?>? ScriptName { get; }

    /// <summary>With <see cref="ScriptName"/>: the version to run instead of the latest.</summary>
    public Option<int?>? ScriptVersion { get; }

    /// <param name="latest">
    /// Where a registered script may stand in for the file (<c>--script-name</c>, <c>--script-version</c>):
    /// which version runs when none is pinned, e.g. "its latest version"; null where it may not.
    /// </param>
    public ScriptInput(string? latest = null)
    {
        if (latest is not null)
        {
            File.Arity = ArgumentArity.ZeroOrOne;
            ScriptName = new Option<string?>("--script-name") { Description = $"Run this registered script of the circle ({latest}) instead of FILE" };
            ScriptVersion = new Option<int?>("--script-version") { Description = "With --script-name: run this version of it instead of the latest" };
        }
        Arg.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                var at = token.Value.IndexOf('=', StringComparison.Ordinal);
                if (at < 1)
                    result.AddError($"--arg takes key=value (got '{token.Value}').");
                else if (JsonProblem(token.Value[(at + 1)..]) is { } problem && problem != NotJson)
                    result.AddError($"--arg {token.Value[..at]}: the value {problem} (got '{token.Value[(at + 1)..]}').");
            }
        });
        Args.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && JsonProblem(result.Tokens[0].Value) is { } problem)
                result.AddError($"--args {problem} (got '{result.Tokens[0].Value}').");
        });
        Language.AcceptOnlyFromAmong("javascript", "rhai");
    }

    public void AddTo(Command command)
    {
        command.Add(File);
        command.Add(Arg);
        command.Add(Args);
        command.Add(Language);
        command.Add(ScriptTimeout);
        if (ScriptName is not null && ScriptVersion is not null)
        {
            command.Add(ScriptName);
            command.Add(ScriptVersion);
        }
    }

    /// <summary>A command that runs this script: its FILE and script options first, then <paramref name="options"/> in order.</summary>
    public Command NewCommand(string name, string description, params Option[] options)
    {
        var command = new Command(name, description);
        AddTo(command);
        foreach (var option in options)
            command.Add(option);
        return command;
    }

    /// <summary>
    /// What to run: FILE's text (or standard input's) with its language, or the registered script
    /// <c>--script-name</c> names (whose own language the server uses).
    /// </summary>
    public async Task<ScriptChoice> ReadChoiceAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var named = ScriptName is null ? null : parse.GetValue(ScriptName);
        var version = ScriptVersion is null ? null : parse.GetValue(ScriptVersion);
        if (ScriptName is not null && (parse.GetValue(File) is not null) == (named is not null))
            throw new UsageException("Give either a script FILE (or - for standard input) or --script-name, not both and not neither.");
        if (version is not null && named is null)
            throw new UsageException("--script-version goes with --script-name.");
        if (named is not null)
            return new ScriptChoice(null, parse.GetValue(Language), named, version);
        var (script, language) = await ReadScriptAsync(parse, cancellationToken);
        return new ScriptChoice(script, language, null, null);
    }

    public Task<(string Script, string? Language)> ReadScriptAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var file = parse.GetValue(File) ?? throw new UsageException("Give a script FILE, or - to read it from standard input.");
        return ReadFileAsync(file, parse.GetValue(Language), cancellationToken);
    }

    /// <summary>
    /// One script: the text of <paramref name="file"/> (standard input for <c>-</c>), never empty,
    /// and its language: <paramref name="language"/> when given, else Rhai for a <c>.rhai</c> file,
    /// else none (the server's default, JavaScript).
    /// </summary>
    public static async Task<(string Script, string? Language)> ReadFileAsync(string file, string? language, CancellationToken cancellationToken)
    {
        string script;
        if (file == "-")
        {
            script = await Console.In.ReadToEndAsync(cancellationToken);
        }
        else
        {
            if (!System.IO.File.Exists(file))
                throw new UsageException($"No such script file: {file}");
            script = await System.IO.File.ReadAllTextAsync(file, cancellationToken);
        }
        if (string.IsNullOrWhiteSpace(script))
            throw new UsageException(file == "-" ? "The script read from standard input is empty." : $"The script file {file} is empty.");
        // JavaScript is the server's default: it is sent only when asked for, so older servers accept it too.
        return (script, language ?? (file.EndsWith(".rhai", StringComparison.OrdinalIgnoreCase) ? "rhai" : null));
    }

    /// <summary>--args, then each --arg on top; null when neither was given.</summary>
    public JsonNode? ReadArgs(ParseResult parse)
    {
        var json = parse.GetValue(Args);
        var pairs = parse.GetValue(Arg) ?? [];
        var args = json is null ? null : JsonNode.Parse(json);
        if (pairs.Length == 0)
            return args;
        if (args is not (null or JsonObject))
            throw new UsageException("--arg adds keys to an object, but --args is not a JSON object.");
        var obj = args as JsonObject ?? new JsonObject();
        foreach (var pair in pairs)
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            var value = pair[(at + 1)..];
            obj[pair[..at]] = JsonProblem(value) is null ? JsonNode.Parse(value) : JsonValue.Create(value);
        }
        return obj;
    }

    /// <summary>
    /// Why <paramref name="text"/> cannot be sent as JSON, or null. JSON may escape a lone
    /// surrogate (<c>"\ud800"</c>), which is no Unicode text: no JSON writer here can send it.
    /// </summary>
    private const string NotJson = "must be JSON";

    private static string? JsonProblem(string text)
    {
        try
        {
            _ = JsonNode.Parse(text)?.ToJsonString();
            return null;
        }
        catch (JsonException)
        {
            return NotJson;
        }
        catch (InvalidOperationException)
        {
            return "holds a string that is not Unicode text (a lone surrogate)";
        }
    }
}

/// <summary>A script to run: its text and language, or a registered script's name and pinned version.</summary>
internal sealed record ScriptChoice(string? Script, string? Language, string? Name, int? Version);
