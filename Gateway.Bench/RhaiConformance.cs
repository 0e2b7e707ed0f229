using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Rhai;

namespace Gateway.Bench;

/// <summary>
/// <c>rhai</c>: runs Gateway.Rhai against the reference folder (rhai's conformance cases and script
/// corpus, observed on real Rhai), prints pass/fail per case and totals; <c>--speed</c> times the
/// four benchmark scripts and the same algorithms in JavaScript on Jint.
/// </summary>
internal static partial class RhaiConformance
{
    public static int Run(string? path, bool speed, bool verbose)
    {
        path ??= DefaultPath();
        if (path is null || !File.Exists(Path.Combine(path, "conformance.json")))
        {
            Console.Error.WriteLine("rhai: the reference folder (conformance.json, expected.json, scripts/) was not found; pass --path DIR");
            return 2;
        }
        var (casePass, caseTotal) = RunCases(path, verbose);
        var (scriptPass, scriptTotal) = RunScripts(path, verbose);
        var traps = File.Exists(Path.Combine(path, "traps.json")) ? RunTraps(path, verbose) : default;
        Console.WriteLine($"conformance: {casePass}/{caseTotal} passed ({100.0 * casePass / caseTotal:F1} %)");
        Console.WriteLine($"corpus scripts: {scriptPass}/{scriptTotal} passed");
        if (traps.Total > 0)
        {
            Console.WriteLine($"traps: {traps.Pass}/{traps.Total} passed (output, and error kind or none); "
                + $"error messages word for word: {traps.MessagePass}/{traps.MessageTotal}");
        }
        if (speed) RhaiSpeed.Run(path);
        return 0;
    }

    // `rhai --run FILE`: runs one script, printing its output and its result.
    public static int RunFile(string file)
    {
        var engine = new RhaiEngine(new RhaiEngineOptions { OnPrint = Console.WriteLine, OnDebug = (t, _, _) => Console.WriteLine(t) });
        try
        {
            var result = engine.Eval(engine.Compile(File.ReadAllText(file)));
            Console.WriteLine("=> " + result.ToDebugString());
            return 0;
        }
        catch (RhaiException e)
        {
            Console.WriteLine($"{e.Category} ({e.Kind}): {e.FullMessage}");
            return 1;
        }
    }

    // The folder sits beside the repository: walk up from here to the directory holding Gateway.sln.
    private static string? DefaultPath()
    {
        var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gateway.sln"))) dir = dir.Parent;
        return dir?.Parent is null ? null : Path.Combine(dir.Parent.FullName, "shared", "rhai");
    }

    private static RhaiEngine MakeEngine(JsonElement c, List<string>? output = null)
    {
        var options = new RhaiEngineOptions
        {
            OnPrint = output is null ? null : output.Add,
            OnDebug = output is null ? null : (text, _, _) => output.Add(text),
        };
        if (c.TryGetProperty("engine_config", out var config))
        {
            foreach (var setting in config.EnumerateObject())
            {
                var v = setting.Value;
                switch (setting.Name)
                {
                    case "max_operations": options.MaxOperations = v.GetInt64(); break;
                    case "max_string_size": options.MaxStringSize = v.GetInt32(); break;
                    case "max_array_size": options.MaxArraySize = v.GetInt32(); break;
                    case "max_map_size": options.MaxMapSize = v.GetInt32(); break;
                    case "max_functions": options.MaxFunctions = v.GetInt32(); break;
                    case "strict_variables": options.StrictVariables = v.GetBoolean(); break;
                    case "allow_shadowing": options.AllowShadowing = v.GetBoolean(); break;
                    case "allow_if_expression": options.AllowIfExpression = v.GetBoolean(); break;
                    case "allow_statement_expression": options.AllowStatementExpression = v.GetBoolean(); break;
                    case "allow_anonymous_fn": options.AllowAnonymousFunctions = v.GetBoolean(); break;
                    case "allow_looping": options.AllowLooping = v.GetBoolean(); break;
                    case "allow_loop_expressions": options.AllowLoopExpressions = v.GetBoolean(); break;
                    case "fail_on_invalid_map_property": options.FailOnInvalidMapProperty = v.GetBoolean(); break;
                    case "disable_symbol":
                        foreach (var s in v.EnumerateArray()) options.DisabledSymbols.Add(s.GetString()!);
                        break;
                }
            }
        }
        return new RhaiEngine(options);
    }

    private static Dynamic Execute(RhaiEngine engine, string api, string script, RhaiScope scope)
    {
        switch (api)
        {
            case "compile":
                engine.Compile(script);
                return Dynamic.Unit;
            case "compile_expression":
                engine.CompileExpression(script);
                return Dynamic.Unit;
            // As Rhai's `*_with_scope` calls: compiled knowing the scope, then run in it.
            case "eval_expression":
                return engine.Eval(engine.CompileExpression(script, scope), scope);
            case "run":
                engine.Eval(script, scope);
                return Dynamic.Unit;
            default:
                return engine.Eval(script, scope);
        }
    }

    private static (int Pass, int Total) RunCases(string path, bool verbose)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(path, "conformance.json")));
        int pass = 0, total = 0;
        var failuresByFile = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            total++;
            var id = c.GetProperty("id").GetString()!;
            string? why;
            try
            {
                why = Check(c);
            }
            catch (Exception e)
            {
                why = "host exception: " + e.GetType().Name + ": " + e.Message;
            }
            if (why is null)
            {
                pass++;
                if (verbose) Console.WriteLine($"PASS {id}");
            }
            else
            {
                var file = id[..id.IndexOf(':', StringComparison.Ordinal)];
                failuresByFile[file] = failuresByFile.GetValueOrDefault(file) + 1;
                Console.WriteLine($"FAIL {id}: {why}");
            }
        }
        foreach (var (file, count) in failuresByFile) Console.WriteLine($"  failures in {file}: {count}");
        return (pass, total);
    }

    private static string? Check(JsonElement c)
    {
        var engine = MakeEngine(c);
        var scope = new RhaiScope();
        if (c.TryGetProperty("scope_ops", out var ops))
        {
            foreach (var op in ops.EnumerateArray())
            {
                var kind = op.GetProperty("op").GetString();
                if (kind == "push")
                {
                    var value = RhaiJson.FromJson(op.GetProperty("value"));
                    if (op.GetProperty("kind").GetString() == "float") value = Dynamic.FromFloat(op.GetProperty("value").GetDouble());
                    var name = op.GetProperty("name").GetString()!;
                    if (op.TryGetProperty("constant", out var k) && k.GetBoolean()) scope.PushConstant(name, value);
                    else scope.Push(name, value);
                }
                else
                {
                    try
                    {
                        Execute(engine, kind!, op.GetProperty("script").GetString()!, scope);
                    }
                    catch (RhaiException)
                    {
                        // A prior step that fails by design leaves the scope as it is.
                    }
                }
            }
        }
        var api = c.GetProperty("api").GetString()!;
        var script = c.GetProperty("script").GetString()!;
        var expect = c.GetProperty("expect").GetString();
        var type = c.TryGetProperty("type", out var t) ? t.GetString() : null;
        Dynamic result;
        try
        {
            result = Execute(engine, api, script, scope);
        }
        catch (RhaiException e)
        {
            if (expect != "error") return $"unexpected error {e.Kind}: {e.FullMessage}";
            if (!c.TryGetProperty("error_kind", out var kindEl)) return null;
            var want = kindEl.GetString()!;
            var got = "Error" + e.Kind;
            var parseType = (e as RhaiParseException)?.ParseErrorType;
            var ok = want == got || want == parseType || want == "ErrorInFunctionCall" && e.CallStack.Count > 0
                || want == "ErrorParsing" && e.Kind == RhaiErrorKind.Parsing;
            return ok ? null : $"wrong error: wanted {want}, got {got}/{parseType}: {e.FullMessage}";
        }
        switch (expect)
        {
            case "error":
                if (c.TryGetProperty("error_kind", out var ek) && ek.GetString() == "ErrorMismatchOutputType")
                {
                    return TypeMatches(result, type) ? "no error: the result has the asked type" : null;
                }
                return $"no error; got {result.ToDebugString()}";
            case "ok":
            case "compiles":
                return null;
        }
        var expected = c.GetProperty("expected");
        if (c.TryGetProperty("conversion", out var conv))
        {
            var conversion = conv.GetString()!;
            if (conversion.StartsWith("array:", StringComparison.Ordinal))
            {
                if (result.Type != RhaiType.Array) return $"wanted an array, got {result.ToDebugString()}";
                var items = result.AsArray;
                var want = expected.EnumerateArray().ToArray();
                if (items.Count != want.Length) return $"wanted {expected}, got {result.ToDebugString()}";
                for (var i = 0; i < items.Count; i++)
                {
                    if (!ValueMatches(items[i], want[i], conversion[6..], null)) return $"wanted {expected}, got {result.ToDebugString()}";
                }
                return null;
            }
            if (conversion == "to_string") return result.ToString() == expected.GetString() ? null : $"wanted {expected}, got {result}";
        }
        if (!TypeMatches(result, type)) return $"wanted type {type}, got {result.TypeName} {result.ToDebugString()}";
        double? tolerance = c.TryGetProperty("tolerance", out var tol) ? tol.GetDouble() : null;
        return ValueMatches(result, expected, type, tolerance) ? null : $"wanted {expected}, got {result.ToDebugString()}";
    }

    private static bool TypeMatches(Dynamic v, string? type) => type switch
    {
        "INT" => v.Type == RhaiType.Int,
        "FLOAT" => v.Type == RhaiType.Float,
        "bool" => v.Type == RhaiType.Bool,
        "String" => v.Type == RhaiType.String,
        "char" => v.Type == RhaiType.Char,
        "Blob" => v.Type == RhaiType.Blob,
        "unit" => v.Type == RhaiType.Unit,
        "Array" => v.Type == RhaiType.Array,
        "Map" => v.Type == RhaiType.Map,
        _ => true,
    };

    private static bool ValueMatches(Dynamic v, JsonElement e, string? type, double? tolerance)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Number when v.Type == RhaiType.Float || type == "FLOAT":
                if (v.Type != RhaiType.Float) return false;
                var d = e.GetDouble();
                return tolerance is { } tl ? Math.Abs(v.AsFloat - d) <= tl : v.AsFloat == d || Math.Abs(v.AsFloat - d) <= 1e-12 * Math.Max(1, Math.Abs(d));
            case JsonValueKind.Number:
                return v.Type == RhaiType.Int && e.TryGetInt64(out var i) && v.AsInt == i;
            case JsonValueKind.True or JsonValueKind.False:
                return v.Type == RhaiType.Bool && v.AsBool == e.GetBoolean();
            case JsonValueKind.String:
                return v.Type is RhaiType.String or RhaiType.Char && v.ToString() == e.GetString();
            case JsonValueKind.Array when v.Type == RhaiType.Blob:
                return v.AsBlob.Select(b => (long)b).SequenceEqual(e.EnumerateArray().Select(x => x.GetInt64()));
            case JsonValueKind.Array when v.Type == RhaiType.Array:
                var items = v.AsArray;
                var want = e.EnumerateArray().ToArray();
                return items.Count == want.Length && items.Zip(want).All(p => ValueMatches(p.First, p.Second, null, tolerance));
            case JsonValueKind.Null:
                return v.IsUnit;
        }
        return false;
    }

    private static (int Pass, int Total) RunScripts(string path, bool verbose)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(path, "expected.json")));
        int pass = 0, total = 0;
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            var file = entry.GetProperty("file").GetString()!;
            total++;
            var full = Path.Combine(path, file);
            var output = new List<string>();
            var dir = Path.GetDirectoryName(full)!;
            var options = new RhaiEngineOptions
            {
                OnPrint = text => output.AddRange(text.Split('\n')),
                OnDebug = (text, _, _) => output.AddRange(text.Split('\n')),
                ModuleSourceResolver = name =>
                {
                    var candidate = Path.Combine(dir, name.EndsWith(".rhai", StringComparison.Ordinal) ? name : name + ".rhai");
                    return File.Exists(candidate) ? File.ReadAllText(candidate) : null;
                },
            };
            var engine = new RhaiEngine(options);
            var scope = new RhaiScope();
            if (file.EndsWith("golden.rhai", StringComparison.Ordinal))
            {
                scope.Push("supplied", Dynamic.FromArray([Dynamic.FromInt(7)]));
            }
            string? why = null;
            var sw = Stopwatch.StartNew();
            try
            {
                var result = engine.Eval(engine.Compile(File.ReadAllText(full)), scope);
                if (entry.TryGetProperty("error", out var err))
                {
                    why = $"no error, wanted {err.GetString()}";
                }
                else if (entry.TryGetProperty("final_value", out var fv) && fv.GetString() is { Length: > 0 } finalText)
                {
                    var shown = result.ToDebugString();
                    if (shown != finalText && shown != finalText.Replace("'x'", "x", StringComparison.Ordinal)) why = $"final value {shown}";
                }
            }
            catch (RhaiException e)
            {
                if (!entry.TryGetProperty("error_kind", out var kind)) why = $"error {e.Kind}: {e.FullMessage}";
                else if (kind.GetString() != "Error" + e.Kind) why = $"wrong error {e.Kind}: {e.FullMessage} (wanted {kind.GetString()})";
            }
            why ??= CompareOutput(entry, output);
            if (why is null)
            {
                pass++;
                Console.WriteLine($"PASS {file} ({sw.Elapsed.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture)} s)");
            }
            else
            {
                Console.WriteLine($"FAIL {file}: {why}");
            }
            if (verbose) foreach (var line in output) Console.WriteLine("    | " + line);
        }
        return (pass, total);
    }

    /// <summary>
    /// traps.json: one-line probes with what Rhai printed, and the error it ended with (kind and
    /// full message) or none. A probe passes on its output and its error kind; the messages are
    /// counted apart, since some carry positions Rhai leaves out.
    /// </summary>
    private static (int Pass, int Total, int MessagePass, int MessageTotal) RunTraps(string path, bool verbose)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(path, "traps.json")));
        int pass = 0, total = 0, messagePass = 0, messageTotal = 0;
        foreach (var entry in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var script = entry.GetProperty("script").GetString()!;
            total++;
            // As the probes were recorded: a print's text as one entry, an empty one left out.
            var output = new List<string>();
            var engine = new RhaiEngine(new RhaiEngineOptions
            {
                OnPrint = text => { if (text.Length > 0) output.Add(text); },
                OnDebug = (text, _, _) => { if (text.Length > 0) output.Add(text); },
            });
            string? why = null;
            var wantError = entry.TryGetProperty("error", out var err) ? err.GetString() : null;
            try
            {
                engine.Eval(engine.Compile(script));
                if (wantError is not null) why = $"no error, wanted {wantError}";
            }
            catch (RhaiException e)
            {
                if (wantError is null) why = $"error {e.Kind}: {e.FullMessage}";
                else if (wantError != "Error" + e.Kind && !(wantError == "ErrorInFunctionCall" && e.CallStack.Count > 0))
                    why = $"wrong error {e.Kind}: {e.FullMessage} (wanted {wantError})";
                if (wantError is not null)
                {
                    messageTotal++;
                    var want = entry.GetProperty("message").GetString()!;
                    if (want == e.FullMessage || want == e.Message) messagePass++;
                    else if (verbose) Console.WriteLine($"  message of [{script}]: {JsonSerializer.Serialize(e.FullMessage)}, Rhai {JsonSerializer.Serialize(want)}");
                }
            }
            // A closure's name is a hash of its own in each engine.
            var wanted = entry.GetProperty("stdout").EnumerateArray().Select(x => AnonymousName().Replace(x.GetString()!, "anon$")).ToList();
            var got = output.Select(x => AnonymousName().Replace(x, "anon$")).ToList();
            if (why is null && !wanted.SequenceEqual(got)) why = $"printed {JsonSerializer.Serialize(got)}, Rhai {JsonSerializer.Serialize(wanted)}";
            if (why is not null) Console.WriteLine($"FAIL trap [{script}]: {why}");
            else pass++;
        }
        return (pass, total, messagePass, messageTotal);
    }

    [GeneratedRegex(@"anon\$[0-9a-f]+")]
    private static partial Regex AnonymousName();

    private static string? CompareOutput(JsonElement entry, List<string> output)
    {
        if (entry.TryGetProperty("stdout", out var stdout) && stdout.ValueKind == JsonValueKind.Array)
        {
            var want = stdout.EnumerateArray().Select(x => x.GetString()!).ToList();
            if (want.SequenceEqual(output)) return null;
            for (var i = 0; i < Math.Max(want.Count, output.Count); i++)
            {
                var w = i < want.Count ? want[i] : "<none>";
                var g = i < output.Count ? output[i] : "<none>";
                if (w != g) return $"line {i + 1}: wanted [{w}] got [{g}]";
            }
        }
        if (entry.TryGetProperty("stdout_pattern", out var patterns) && patterns.ValueKind == JsonValueKind.Array)
        {
            var want = patterns.EnumerateArray().Select(x => x.GetString()!).ToList();
            if (want.Count != output.Count) return $"{output.Count} lines, wanted {want.Count}: {string.Join(" | ", output)}";
            for (var i = 0; i < want.Count; i++)
            {
                if (!Regex.IsMatch(output[i], want[i])) return $"line {i + 1} [{output[i]}] does not match {want[i]}";
            }
        }
        return null;
    }
}
