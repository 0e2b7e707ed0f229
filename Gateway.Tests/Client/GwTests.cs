using System.Text.Json;
using Scripts = Gateway.Tests.Infrastructure.Scripts;

namespace Gateway.Tests.Client;

/// <summary><c>gw</c> as a person or a shell script uses it: exit codes, stdout for results, stderr for the rest.</summary>
[TestFixture]
public sealed class GwTests
{
    [Test]
    public async Task Run_ScriptFromStdinWithArgs_PrintsTheResultOnStdout_AndTheScriptOutputOnStderr_Exit0()
    {
        var circle = TestRedis.NewCircle("gw");

        var run = await GwProcess.RunAsync(["run", "-", "--circle", circle, "--arg", "a=2", "--arg", "b=40", "--arg", "who=world"],
            stdin: "console.log('hello ' + args.who);\nargs.a + args.b");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(run.Stdout, Is.EqualTo("42\n"), run.ToString());
        Assert.That(run.Stderr, Is.EqualTo("hello world\n"), "script output only, and no spinner in a pipe");
    }

    [Test]
    public async Task Run_ObjectResultAndArgsJson_PrintsJson_AndAStringResultPlain()
    {
        var circle = TestRedis.NewCircle("gw");

        var obj = await GwProcess.RunAsync(["run", "-", "-c", circle, "--args", """{"n": 3}""", "--arg", "name=x"], stdin: "({ n: args.n, name: args.name })");
        var text = await GwProcess.RunAsync(["run", "-", "-c", circle], stdin: "'plain text'");
        var unicode = await GwProcess.RunAsync(["run", "-", "-c", circle], stdin: "({ name: 'h\\u00e9llo \\u2192', tag: '<a>' })");

        Assert.That(obj.ExitCode, Is.EqualTo(0), obj.ToString());
        using var parsed = JsonDocument.Parse(obj.Stdout);
        Assert.That(parsed.RootElement.GetProperty("n").GetInt32(), Is.EqualTo(3));
        Assert.That(parsed.RootElement.GetProperty("name").GetString(), Is.EqualTo("x"));
        Assert.That(text.Stdout, Is.EqualTo("plain text\n"), text.ToString());
        Assert.That(unicode.Stdout, Does.Contain("\"name\": \"h\u00e9llo \u2192\"").And.Contain("\"tag\": \"<a>\""), "text as it is, not escaped");
    }

    [Test]
    public async Task Run_ScriptFromAFile_WithJson_PrintsTheWholeTaskAsParsableJson()
    {
        var file = Path.Combine(Path.GetTempPath(), $"gw-{Guid.NewGuid():N}.js");
        await File.WriteAllTextAsync(file, "[1, 'two']");
        try
        {
            var run = await GwProcess.RunAsync(["run", file, "--circle", TestRedis.NewCircle("gw"), "--json"]);

            Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
            using var task = JsonDocument.Parse(run.Stdout);
            Assert.That(task.RootElement.GetProperty("status").GetString(), Is.EqualTo("completed"));
            Assert.That(System.Text.Json.Nodes.JsonNode.Parse(task.RootElement.GetProperty("result").GetRawText())!.ToJsonString(), Is.EqualTo("""[1,"two"]"""));
            Assert.That(task.RootElement.GetProperty("id").GetString(), Has.Length.EqualTo(32));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task Run_ScriptThrows_Exit1_WithTheErrorAndItsLineOnStderr_AndNothingOnStdout()
    {
        var run = await GwProcess.RunAsync(["run", "-", "--circle", TestRedis.NewCircle("gw")],
            stdin: "console.log('partial');\nconst y = 2;\nthrow new Error('broken ' + y);");

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.Stdout, Is.Empty);
        Assert.That(run.Stderr, Does.Contain("partial"));
        Assert.That(run.Stderr, Does.Contain("script_error (line 3"));
        Assert.That(run.Stderr, Does.Contain("broken 2"));
    }

    [Test]
    public async Task Run_TimeoutShorterThanTheScript_Exit3_PrintsTheTaskId_ThatGwWaitThenFinishes()
    {
        var circle = TestRedis.NewCircle("gw");

        var run = await GwProcess.RunAsync(["run", "-", "--circle", circle, "--timeout", "1s", "--script-timeout", "20s"], stdin: Scripts.BusyFor(3000));

        Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
        var id = run.Stdout.Trim();
        Assert.That(id, Does.Match("^[0-9a-f]{32}$"), run.ToString());
        Assert.That(run.Stderr, Does.Contain($"gw wait {id}"));
        var wait = await GwProcess.RunAsync(["wait", id, "--circle", circle, "--timeout", "30s"]);
        Assert.That(wait.ExitCode, Is.EqualTo(0), wait.ToString());
        Assert.That(wait.Stdout, Is.EqualTo("3000\n"));
    }

    [TestCase(new[] { "run", "-" }, "--circle")]
    [TestCase(new[] { "run", "-", "--circle", "c", "--arg", "novalue" }, "key=value")]
    [TestCase(new[] { "run", "-", "--circle", "c", "--timeout", "soon" }, "duration")]
    [TestCase(new[] { "frobnicate" }, "frobnicate")]
    [TestCase(new string[0], "command")]
    [TestCase(new[] { "run", "-", "--circle", "c", "--timeout", "1e300s" }, "'1e300s' is not a duration")]
    [TestCase(new[] { "run", "-", "--circle", "c", "--timeout", "0.0000001ms" }, "is not a duration")]
    [TestCase(new[] { "run", "-", "--circle", "c", "--script-timeout", "NaN" }, "'NaN' is not a duration")]
    [TestCase(new[] { "tasks", "--circle", "c", "--limit", "0" }, "--limit must be at least 1")]
    [TestCase(new[] { "run", "-", "--circle", "c", "--args", "\"\\ud800\"" }, "--args holds a string that is not Unicode text")]
    [TestCase(new[] { "run", "-", "--circle", "c", "--arg", "k=[\"\\udc00\"]" }, "--arg k: the value holds a string that is not Unicode text")]
    [TestCase(new[] { "tasks", "--circle", "" }, "--circle may not be empty")]
    [TestCase(new[] { "get", "--circle", "c", "" }, "ID may not be empty")]
    [TestCase(new[] { "scripts", "get", "--circle", "c", " " }, "NAME may not be empty")]
    [TestCase(new[] { "schedules", "delete", "--circle", "c", "" }, "NAME may not be empty")]
    [TestCase(new[] { "tasks", "--circle", "c", "--limit", "abc" }, "'abc'")]
    [TestCase(new[] { "tasks", "--circle", "c", "--limit", "99999999999" }, "'99999999999'")]
    [TestCase(new[] { "entities", "contracts", "abc", "--circle", "c", "--delete" }, "'abc'")]
    [TestCase(new[] { "circles", "--api-key", "a\\nb" }, "ApiKey must be printable ASCII")]
    [TestCase(new[] { "submit", "-", "--circle", "c", "--idempotency-key", "k\\r" }, "An idempotency key is 1 to 128 characters of printable ASCII")]
    [TestCase(new[] { "get", "x", "--circle", ".." }, "'..' cannot be a circle")]
    [TestCase(new[] { "stream", "--circle", ".." }, "'..' cannot be a circle")]
    [TestCase(new[] { "scripts", "get", "--circle", "c", "." }, "'.' cannot be a name")]
    [TestCase(new[] { "submit", "-", "--circle", "c", "--delay", "1s", "--at", "2030-01-01T00:00:00Z" }, "Give --at or --delay, not both.")]
    [TestCase(new[] { "circles", "--request-timeout", "soon" }, "'soon' is not a duration")]
    [TestCase(new[] { "circles", "--request-timeout", "5ms" }, "A request timeout is from 1s to 24h")]
    [TestCase(new[] { "circles", "--request-timeout", "25h" }, "A request timeout is from 1s to 24h")]
    public async Task UsageErrors_Exit2_WithAMessageOnStderr(string[] args, string mentions)
    {
        // Line breaks are written \n, \r in the cases above: a test name may not hold them.
        var run = await GwProcess.RunAsync(args.Select(a => a.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\r", "\r", StringComparison.Ordinal)), stdin: "1");

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Stdout, Is.Empty);
        Assert.That(run.Stderr, Does.Contain(mentions));
        Assert.That(run.Stderr, Does.Not.Contain("Exception"), "a message, never a stack trace");
    }

    [Test]
    public async Task ApiErrors_PrintTheProblemTitleAndDetail_NeverAStackTrace()
    {
        var notFound = await GwProcess.RunAsync(["get", "0123456789abcdef0123456789abcdef", "--circle", "demo"]);
        var invalid = await GwProcess.RunAsync(["run", "-", "--circle", "not a circle!"], stdin: "1");

        Assert.That(notFound.ExitCode, Is.EqualTo(4), notFound.ToString());
        Assert.That(notFound.Stderr, Does.Contain("Not found.").And.Contain("has no task '0123456789abcdef0123456789abcdef'"));
        Assert.That(invalid.ExitCode, Is.EqualTo(2), "the API said the request was invalid");
        Assert.That(invalid.Stderr, Does.Contain("circle: A circle name"));
        foreach (var run in new[] { notFound, invalid })
            Assert.That(run.Stderr, Does.Not.Contain("   at ").And.Not.Contain("Exception"), run.ToString());
    }

    [TestCase("scripts", "get")]
    [TestCase("scripts", "delete")]
    [TestCase("schedules", "get")]
    [TestCase("schedules", "delete")]
    public async Task ANameBreakingTheRule_TheApiRefuses_Exit2_NamingTheName(string kind, string verb)
    {
        var run = await GwProcess.RunAsync([kind, verb, "--circle", "demo", "bad name"]);

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Stdout, Is.Empty);
        Assert.That(run.Stderr, Does.Contain("name: A " + kind.TrimEnd('s') + " name"), run.ToString());
        Assert.That(run.Stderr, Does.Not.Contain("Exception"), "a message, never a stack trace");
    }

    [Test]
    public async Task Tasks_APageAsATable_TheNextPageNamedOnStderr_AndFollowedWithBefore()
    {
        var circle = TestRedis.NewCircle("gw");
        var ids = new List<string>();
        foreach (var script in new[] { "1", "throw new Error('x')", "3" })
            ids.Add((await GwProcess.RunAsync(["submit", "-", "--circle", circle], stdin: script)).Stdout.Trim());
        foreach (var id in ids)
            await GwProcess.RunAsync(["wait", id, "--circle", circle]);

        var first = await GwProcess.RunAsync(["tasks", "--circle", circle, "--limit", "2"]);
        var rest = await GwProcess.RunAsync(["tasks", "--circle", circle, "--before", ids[1], "--json"]);
        var completed = await GwProcess.RunAsync(["tasks", "--circle", circle, "--status", "completed", "--limit", "1", "--json"]);
        var failed = await GwProcess.RunAsync(["tasks", "--circle", circle, "--status", "failed", "--json"]);
        var badBefore = await GwProcess.RunAsync(["tasks", "--circle", circle, "--before", "nope"]);

        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(first.Stdout.TrimEnd().Split('\n').Skip(1).Select(l => l.Split(' ')[0]), Is.EqualTo(new[] { ids[2], ids[1] }), first.ToString());
        Assert.That(first.Stderr, Is.EqualTo($"More: gw tasks --circle {circle} --before {ids[1]}\n"));
        using (var page = JsonDocument.Parse(rest.Stdout))
            Assert.That(page.RootElement.EnumerateArray().Select(t => t.GetProperty("id").GetString()), Is.EqualTo(new[] { ids[0] }));
        Assert.That(rest.Stderr, Is.Empty, "the last page names no next one");
        using (var page = JsonDocument.Parse(completed.Stdout))
            Assert.That(page.RootElement.EnumerateArray().Select(t => t.GetProperty("id").GetString()), Is.EqualTo(new[] { ids[2] }));
        Assert.That(completed.Stderr, Is.EqualTo($"More: gw tasks --circle {circle} --status completed --before {ids[2]}\n"));
        using (var page = JsonDocument.Parse(failed.Stdout))
            Assert.That(page.RootElement.EnumerateArray().Select(t => t.GetProperty("id").GetString()), Is.EqualTo(new[] { ids[1] }));
        Assert.That(failed.Stderr, Is.Empty, "the circle's only failure: no next page");
        Assert.That(badBefore.ExitCode, Is.EqualTo(2), badBefore.ToString());
        Assert.That(badBefore.Stderr, Does.Contain("before: before must be a task id"));
    }

    [Test]
    public async Task PauseAndResume_SayWhatTheyDid_AndCirclesShowsThePause()
    {
        var circle = TestRedis.NewCircle("gw");

        var pause = await GwProcess.RunAsync(["pause", "--circle", circle]);
        var submit = await GwProcess.RunAsync(["submit", "-", "--circle", circle], stdin: "7");
        var circles = await GwProcess.RunAsync(["circles"]);
        var resume = await GwProcess.RunAsync(["resume", "--circle", circle, "--json"]);
        var wait = await GwProcess.RunAsync(["wait", submit.Stdout.Trim(), "--circle", circle]);
        var noCircle = await GwProcess.RunAsync(["pause"]);

        Assert.That(pause.ExitCode, Is.EqualTo(0), pause.ToString());
        Assert.That(pause.Stdout, Is.EqualTo($"circle {circle} paused: 0 pending, 0 processing\n"));
        Assert.That(circles.Stdout.Split('\n').Single(line => line.StartsWith(circle + " ", StringComparison.Ordinal)),
            Does.Match(@"^\S+\s+1\s+0\s+0\s+0\s+1\s+0 B of 64 MiB\s+yes$"), circles.ToString());
        using (var figures = JsonDocument.Parse(resume.Stdout))
            Assert.That(figures.RootElement.GetProperty("paused").GetBoolean(), Is.False, resume.ToString());
        Assert.That(wait.ExitCode, Is.EqualTo(0), wait.ToString());
        Assert.That(wait.Stdout.Trim(), Is.EqualTo("7"));
        Assert.That(noCircle.ExitCode, Is.EqualTo(2), noCircle.ToString());
    }

    [Test]
    public async Task Drain_SaysHowManyWaitingTasksItCancelled_AndScheduledTakesTheScheduledToo()
    {
        var circle = TestRedis.NewCircle("gw");
        await GwProcess.RunAsync(["pause", "--circle", circle]);
        var queued = await GwProcess.RunAsync(["submit", "-", "--circle", circle], stdin: "1");
        await GwProcess.RunAsync(["submit", "-", "--circle", circle, "--priority", "3"], stdin: "2");
        await GwProcess.RunAsync(["submit", "-", "--circle", circle, "--delay", "10m"], stdin: "3");

        var drain = await GwProcess.RunAsync(["drain", "--circle", circle]);
        var scheduled = await GwProcess.RunAsync(["drain", "--circle", circle, "--scheduled", "--json"]);
        var get = await GwProcess.RunAsync(["get", queued.Stdout.Trim(), "--circle", circle]);
        var noCircle = await GwProcess.RunAsync(["drain"]);
        await GwProcess.RunAsync(["resume", "--circle", circle]);

        Assert.That(drain.ExitCode, Is.EqualTo(0), drain.ToString());
        Assert.That(drain.Stdout, Is.EqualTo($"circle {circle}: 2 waiting tasks cancelled; 0 pending, 1 scheduled, 0 processing\n"));
        using (var result = JsonDocument.Parse(scheduled.Stdout))
        {
            Assert.That(result.RootElement.GetProperty("cancelled").GetInt64(), Is.EqualTo(1), scheduled.ToString());
            Assert.That(result.RootElement.GetProperty("circle").GetProperty("scheduled").GetInt64(), Is.Zero, scheduled.ToString());
        }
        using (var task = JsonDocument.Parse(get.Stdout))
            Assert.That(task.RootElement.GetProperty("status").GetString(), Is.EqualTo("cancelled"), get.ToString());
        Assert.That(noCircle.ExitCode, Is.EqualTo(2), noCircle.ToString());
    }

    [Test]
    public async Task RetryFailed_PrintsTheNewTaskIds_AndHowManyOnStderr()
    {
        var circle = TestRedis.NewCircle("gw");
        var failed = await GwProcess.RunAsync(["run", "-", "--circle", circle], stdin: "throw new Error('no')");
        var circles = await GwProcess.RunAsync(["circles"]);

        var retry = await GwProcess.RunAsync(["retry-failed", "--circle", circle, "--limit", "10"]);
        var again = await GwProcess.RunAsync(["retry-failed", "--circle", circle, "--json"]);
        var badLimit = await GwProcess.RunAsync(["retry-failed", "--circle", circle, "--limit", "0"]);

        Assert.That(failed.ExitCode, Is.Not.EqualTo(0), failed.ToString());
        Assert.That(circles.Stdout.Split('\n').Single(line => line.StartsWith(circle + " ", StringComparison.Ordinal)),
            Does.Match(@"^\S+\s+0\s+0\s+0\s+1\s+1\s+"), "the FAILED column counts the failure: " + circles);
        Assert.That(retry.ExitCode, Is.EqualTo(0), retry.ToString());
        Assert.That(retry.Stdout, Does.Match("^[0-9a-f]{32}\n$"), retry.ToString());
        Assert.That(retry.Stderr, Is.EqualTo("1 failed task run again\n"));
        using var client = ClientApi.CreateClient();
        var original = (await client.GetAsync(circle, retry.Stdout.Trim())).RetryOf;
        Assert.That(original, Does.Match("^[0-9a-f]{32}$"));
        Assert.That((await client.GetAsync(circle, original!)).RetriedBy, Is.EqualTo(retry.Stdout.Trim()));
        using (var tasks = JsonDocument.Parse(again.Stdout))
            Assert.That(tasks.RootElement.EnumerateArray().Select(t => t.GetProperty("retryOf").GetString()), Does.Not.Contain(original),
                "a failure re-run already is not run again: " + again);
        Assert.That(badLimit.ExitCode, Is.EqualTo(2), badLimit.ToString());
    }

    [Test]
    public async Task SubmitGetWatchTasksCirclesWorkers_WorkOnOneTask()
    {
        var circle = TestRedis.NewCircle("gw");

        var submit = await GwProcess.RunAsync(["submit", "-", "--circle", circle], stdin: Scripts.BusyFor(500));
        var id = submit.Stdout.Trim();
        var watch = await GwProcess.RunAsync(["watch", id, "--circle", circle]);
        var get = await GwProcess.RunAsync(["get", id, "--circle", circle]);
        var tasks = await GwProcess.RunAsync(["tasks", "--circle", circle, "--status", "completed", "--json"]);
        var circles = await GwProcess.RunAsync(["circles"]);
        var workers = await GwProcess.RunAsync(["workers", "--json"]);

        Assert.That(submit.ExitCode, Is.EqualTo(0), submit.ToString());
        Assert.That(id, Does.Match("^[0-9a-f]{32}$"));
        Assert.That(watch.ExitCode, Is.EqualTo(0), watch.ToString());
        Assert.That(watch.Stdout.TrimEnd().Split('\n')[^2], Does.EndWith("completed"), watch.ToString());
        Assert.That(watch.Stdout.TrimEnd().Split('\n')[^1], Is.EqualTo("500"));
        using (var task = JsonDocument.Parse(get.Stdout))
            Assert.That(task.RootElement.GetProperty("status").GetString(), Is.EqualTo("completed"));
        using (var list = JsonDocument.Parse(tasks.Stdout))
            Assert.That(list.RootElement.EnumerateArray().Select(t => t.GetProperty("id").GetString()), Is.EqualTo(new[] { id }));
        Assert.That(circles.Stdout, Does.Contain("ENTITIES"));
        Assert.That(circles.Stdout.Split('\n').Single(line => line.StartsWith(circle + " ", StringComparison.Ordinal)),
            Does.Match(@"^\S+\s+0\s+0\s+0\s+0\s+1\s+0 B of 64 MiB\s+no$"), circles.ToString());
        using (var live = JsonDocument.Parse(workers.Stdout))
            Assert.That(live.RootElement.GetArrayLength(), Is.GreaterThan(0));
    }

    [Test]
    public async Task Batch_EveryFileATaskOfOneRequest_InOrder_WithWaitATableAndAnExitCodeForTheWorst()
    {
        var circle = TestRedis.NewCircle("gwbatch");
        var folder = Directory.CreateTempSubdirectory("gw-batch-");
        try
        {
            var js = Path.Combine(folder.FullName, "add.js");
            var rhai = Path.Combine(folder.FullName, "twice.rhai");
            var fails = Path.Combine(folder.FullName, "fails.js");
            await File.WriteAllTextAsync(js, "args.n + 1");
            await File.WriteAllTextAsync(rhai, "args.n * 2");
            await File.WriteAllTextAsync(fails, "throw new Error('no ' + args.n)");

            var waited = await GwProcess.RunAsync(["batch", js, "-", rhai, "--circle", circle, "--arg", "n=20", "--wait", "20s"], stdin: "'text ' + args.n");
            var ids = await GwProcess.RunAsync(["batch", rhai, js, "--circle", circle, "--arg", "n=1", "--priority", "3"]);
            var json = await GwProcess.RunAsync(["batch", js, "--circle", circle, "--args", "{\"n\":2}", "--json", "--wait", "20s"]);
            var failed = await GwProcess.RunAsync(["batch", js, fails, "--circle", circle, "--arg", "n=3", "--wait", "20s"]);
            var twoStdins = await GwProcess.RunAsync(["batch", "-", "-", "--circle", circle], stdin: "1");
            var none = await GwProcess.RunAsync(["batch", "--circle", circle]);

            Assert.That(waited.ExitCode, Is.EqualTo(0), waited.ToString());
            var rows = waited.Stdout.TrimEnd().Split('\n');
            Assert.That(rows[0], Does.Match("^TASK +STATUS +RESULT$"), waited.ToString());
            Assert.That(rows.Skip(1).Select(r => r.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[1..]),
                Is.EqualTo(new[] { new[] { "completed", "21" }, new[] { "completed", "text 20" }, new[] { "completed", "40" } }), waited.ToString());

            Assert.That(ids.ExitCode, Is.EqualTo(0), ids.ToString());
            var submitted = ids.Stdout.TrimEnd().Split('\n');
            Assert.That(submitted, Has.Length.EqualTo(2).And.All.Match("^[0-9a-f]{32}$"), ids.ToString());
            using var client = ClientApi.CreateClient();
            var first = await client.WaitAsync(circle, submitted[0], TimeSpan.FromSeconds(30));
            var second = await client.WaitAsync(circle, submitted[1], TimeSpan.FromSeconds(30));
            Assert.That(new object?[] { first.Language, first.Priority, first.Result!.Value.GetInt32() }, Is.EqualTo(new object[] { "rhai", 3, 2 }));
            Assert.That(new object?[] { second.Language, second.Priority, second.Result!.Value.GetInt32() }, Is.EqualTo(new object[] { "javascript", 3, 2 }));

            Assert.That(json.ExitCode, Is.EqualTo(0), json.ToString());
            using (var tasks = JsonDocument.Parse(json.Stdout))
                Assert.That(tasks.RootElement.EnumerateArray().Select(t => t.GetProperty("result").GetInt32()), Is.EqualTo(new[] { 3 }));

            Assert.That(failed.ExitCode, Is.EqualTo(1), failed.ToString());
            Assert.That(failed.Stdout, Does.Contain("failed").And.Contain("script_error: ").And.Contain("no 3"), failed.ToString());

            foreach (var usage in new[] { twoStdins, none })
            {
                Assert.That(usage.ExitCode, Is.EqualTo(2), usage.ToString());
                Assert.That(usage.Stdout, Is.Empty);
            }
            Assert.That(twoStdins.Stderr, Does.Contain("Standard input (-) can give one of the scripts only."));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Source_PrintsTheScriptOnStdout_ArgsAndTraceOnStderr_JsonWhole_AndAnUnknownTaskExits4()
    {
        var circle = TestRedis.NewCircle("gwsource");
        const string script = "// doubles\nargs.n * 2";
        var submit = await GwProcess.RunAsync(["submit", "-", "--circle", circle, "--arg", "n=21"], stdin: script);
        var id = submit.Stdout.Trim();

        var source = await GwProcess.RunAsync(["source", id, "--circle", circle]);
        var json = await GwProcess.RunAsync(["source", id, "--circle", circle, "--json"]);
        var rerun = await GwProcess.RunAsync(["run", "-", "--circle", circle, "--arg", "n=5"], stdin: source.Stdout);
        var missing = await GwProcess.RunAsync(["source", "0123456789abcdef0123456789abcdef", "--circle", circle]);

        Assert.That(submit.ExitCode, Is.EqualTo(0), submit.ToString());
        Assert.That(source.ExitCode, Is.EqualTo(0), source.ToString());
        Assert.That(source.Stdout, Is.EqualTo(script + "\n"), "the text alone, ended by a newline");
        Assert.That(source.Stderr, Does.Contain("args: {\"n\":21}").And.Match("trace id: [0-9a-f]{32}"), source.ToString());
        Assert.That(json.ExitCode, Is.EqualTo(0), json.ToString());
        using (var whole = JsonDocument.Parse(json.Stdout))
        {
            Assert.That(whole.RootElement.GetProperty("id").GetString(), Is.EqualTo(id));
            Assert.That(whole.RootElement.GetProperty("script").GetString(), Is.EqualTo(script));
            Assert.That(whole.RootElement.GetProperty("args").GetProperty("n").GetInt32(), Is.EqualTo(21));
        }
        Assert.That(rerun.Stdout.Trim(), Is.EqualTo("10"), "what source printed runs again: " + rerun);
        Assert.That(missing.ExitCode, Is.EqualTo(4), missing.ToString());
        Assert.That(missing.Stderr, Does.Contain("has no task '0123456789abcdef0123456789abcdef'"));
    }

    [Test]
    public async Task Entities_APageAsATable_TheNextPageNamedOnStderr_OneWholeById_AndOneDeleted()
    {
        var circle = TestRedis.NewCircle("gw");
        var made = await GwProcess.RunAsync(["run", "-", "--circle", circle],
            stdin: "for (let i = 1; i <= 3; i++) legal.createContract({ title: 'Lease ' + i, terms: 't', signers: [{ name: 'x' }] }); 'made'");
        Assert.That(made.ExitCode, Is.EqualTo(0), made.ToString());

        var first = await GwProcess.RunAsync(["entities", "contracts", "--circle", circle, "--limit", "2"]);
        var last = await GwProcess.RunAsync(["entities", "contracts", "--circle", circle, "--after", "2", "--json"]);
        var one = await GwProcess.RunAsync(["entities", "contracts", "3", "--circle", circle]);
        var missing = await GwProcess.RunAsync(["entities", "contracts", "9", "--circle", circle]);
        var badView = await GwProcess.RunAsync(["entities", "contract", "--circle", circle]);
        var badLimit = await GwProcess.RunAsync(["entities", "flows", "--circle", circle, "--limit", "501"]);
        var deleted = await GwProcess.RunAsync(["entities", "contracts", "3", "--circle", circle, "--delete"]);
        var deletedAgain = await GwProcess.RunAsync(["entities", "contracts", "3", "--circle", circle, "--delete"]);
        var deleteWhat = await GwProcess.RunAsync(["entities", "contracts", "--circle", circle, "--delete"]);
        var left = await GwProcess.RunAsync(["entities", "contracts", "--circle", circle, "--json"]);

        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(first.Stdout.TrimEnd().Split('\n').Select(l => System.Text.RegularExpressions.Regex.Replace(l.TrimEnd(), @"\s+", " ")),
            Is.EqualTo(new[] { "ID NAME STATUS", "1 Lease 1 draft", "2 Lease 2 draft" }), first.ToString());
        Assert.That(first.Stderr, Is.EqualTo($"More: gw entities contracts --circle {circle} --after 2\n"));
        Assert.That(last.ExitCode, Is.EqualTo(0), last.ToString());
        using (var page = JsonDocument.Parse(last.Stdout))
            Assert.That(page.RootElement.EnumerateArray().Select(c => c.GetProperty("title").GetString()), Is.EqualTo(new[] { "Lease 3" }));
        Assert.That(last.Stderr, Is.Empty, "the last page names no next one");
        using (var contract = JsonDocument.Parse(one.Stdout))
            Assert.That(contract.RootElement.GetProperty("id").GetInt64(), Is.EqualTo(3));
        Assert.That(missing.ExitCode, Is.EqualTo(4), missing.ToString());
        Assert.That(missing.Stderr, Does.Contain("has no contract '9'"));
        Assert.That(badView.ExitCode, Is.EqualTo(2), badView.ToString());
        Assert.That(badLimit.ExitCode, Is.EqualTo(2), badLimit.ToString());
        Assert.That(badLimit.Stderr, Does.Contain("limit: limit must be a whole number from 1 to 500."));
        Assert.That(deleted.ExitCode, Is.EqualTo(0), deleted.ToString());
        Assert.That(deleted.Stdout, Is.EqualTo("contract 3 deleted\n"));
        Assert.That(deletedAgain.ExitCode, Is.EqualTo(4), deletedAgain.ToString());
        Assert.That(deleteWhat.ExitCode, Is.EqualTo(2), deleteWhat.ToString());
        Assert.That(deleteWhat.Stderr, Does.Contain("--delete needs the ID"));
        using (var rest = JsonDocument.Parse(left.Stdout))
            Assert.That(rest.RootElement.EnumerateArray().Select(c => c.GetProperty("id").GetInt64()), Is.EqualTo(new long[] { 1, 2 }));
    }

    [Test]
    public async Task Health_PrintsEachCheck_AsATableOrJson_AndExits0WhenHealthy()
    {
        var table = await GwProcess.RunAsync(["health"]);
        var json = await GwProcess.RunAsync(["health", "--json"]);

        Assert.That(table.ExitCode, Is.EqualTo(0), table.ToString());
        var lines = table.Stdout.TrimEnd().Split('\n');
        Assert.That(lines[0], Does.StartWith("healthy at "), table.ToString());
        Assert.That(lines[1], Does.Match(@"^CHECK\s+STATUS\s+MS\s+DETAIL$"), table.ToString());
        Assert.That(lines.Skip(2).Select(l => l.Split(' ')[0]), Is.EquivalentTo(new[] { "redis", "workers", "embedded-data" }), table.ToString());
        Assert.That(lines.Single(l => l.StartsWith("redis ", StringComparison.Ordinal)), Does.Contain("Redis answered in"));

        Assert.That(json.ExitCode, Is.EqualTo(0), json.ToString());
        using var report = JsonDocument.Parse(json.Stdout);
        Assert.That(report.RootElement.GetProperty("status").GetString(), Is.EqualTo("healthy"));
        Assert.That(report.RootElement.TryGetProperty("isReady", out _), Is.False, "the JSON is the API's report, nothing added");
        Assert.That(report.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("status").GetString()), Is.All.EqualTo("healthy"));
    }

    [Test]
    public async Task Health_WithRedisAway_NamesTheFailedCheck_AndExits1()
    {
        using var redis = new Gateway.Tests.Infrastructure.RestartableRedis();
        await using var api = await Gateway.Tests.Infrastructure.HostProcess.StartAsync("Gateway.Api",
            new Dictionary<string, string> { ["ConnectionStrings:Redis"] = redis.ConnectionString });
        redis.Stop();

        var health = await GwProcess.RunAsync(["health"], url: new Uri($"http://127.0.0.1:{api.Port}"));

        Assert.That(health.ExitCode, Is.EqualTo(1), health.ToString());
        Assert.That(health.Stdout, Does.StartWith("unhealthy at "), health.ToString());
        var redisLine = health.Stdout.Split('\n').Single(l => l.StartsWith("redis ", StringComparison.Ordinal));
        Assert.That(redisLine, Does.Contain(" unhealthy ").And.Contain("did not answer"), health.ToString());
    }

    [Test]
    public async Task Cancel_ARunningTask_PrintsCancelled_AndWaitThenExits1()
    {
        var circle = TestRedis.NewCircle("gw");
        var submit = await GwProcess.RunAsync(["submit", "-", "--circle", circle, "--script-timeout", "20s"], stdin: Scripts.BusyFor(10_000));
        var id = submit.Stdout.Trim();
        using var client = ClientApi.CreateClient();
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); (await client.GetAsync(circle, id)).Status != Gateway.Client.GatewayTaskStatus.Processing;)
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "never started");
            await Task.Delay(50);
        }

        var cancel = await GwProcess.RunAsync(["cancel", id, "--circle", circle]);
        var wait = await GwProcess.RunAsync(["wait", id, "--circle", circle]);

        Assert.That(cancel.ExitCode, Is.EqualTo(0), cancel.ToString());
        Assert.That(cancel.Stdout, Does.StartWith(id));
        Assert.That(wait.ExitCode, Is.EqualTo(1), wait.ToString());
        Assert.That(wait.Stderr, Does.Contain("cancelled"));
    }

    [Test]
    public async Task Retry_AFailedTask_PrintsTheNewId_Exits0_AndACompletedOneExits4()
    {
        var circle = TestRedis.NewCircle("gw");
        using var client = ClientApi.CreateClient();
        var failed = await client.SubmitAsync(circle, "throw new Error('no')", wait: TimeSpan.FromSeconds(30));
        var done = await client.SubmitAsync(circle, "1", wait: TimeSpan.FromSeconds(30));

        var retry = await GwProcess.RunAsync(["retry", failed.Id, "--circle", circle]);
        var refused = await GwProcess.RunAsync(["retry", done.Id, "--circle", circle]);

        Assert.That(retry.ExitCode, Is.EqualTo(0), retry.ToString());
        var newId = retry.Stdout.Trim();
        Assert.That(newId, Is.Not.Empty.And.Not.EqualTo(failed.Id));
        Assert.That((await client.GetAsync(circle, newId)).RetryOf, Is.EqualTo(failed.Id));
        Assert.That(refused.ExitCode, Is.EqualTo(4), refused.ToString());
    }

    [Test]
    public async Task Submit_RetryAndPriority_ReachTheServer_AndTheScriptRunsThreeTimes()
    {
        var circle = TestRedis.NewCircle("gw");

        var submit = await GwProcess.RunAsync(["submit", "-", "--circle", circle, "--retry", "2", "--priority", "5"], stdin: "throw new Error('again')");
        using var client = ClientApi.CreateClient();
        var task = await client.WaitAsync(circle, submit.Stdout.Trim(), TimeSpan.FromSeconds(30));

        Assert.That(submit.ExitCode, Is.EqualTo(0), submit.ToString());
        Assert.That(task.Status, Is.EqualTo(Gateway.Client.GatewayTaskStatus.Failed));
        Assert.That(task.Attempts, Is.EqualTo(3));
        Assert.That(task.Priority, Is.EqualTo(5));
    }

    [TestCase("--request-timeout")]
    [TestCase("GATEWAY_REQUEST_TIMEOUT")]
    public async Task AGatewayThatAcceptsButNeverAnswers_GivesUpAfterTheRequestTimeout_Exit4(string how)
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var held = new List<System.Net.Sockets.Socket>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                    held.Add(await listener.AcceptSocketAsync(stop.Token));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The test is done with the server: cancelling the accept is how this loop ends.
            }
        });
        var url = new Uri($"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}");
        var started = System.Diagnostics.Stopwatch.StartNew();

        var run = how == "--request-timeout"
            ? await GwProcess.RunAsync(["circles", "--request-timeout", "2s"], url: url)
            : await GwProcess.RunAsync(["circles"], url: url, environment: new() { [how] = "2s" });

        stop.Cancel();
        await accepting;
        foreach (var socket in held)
            socket.Dispose();
        Assert.That(run.ExitCode, Is.EqualTo(4), run.ToString());
        Assert.That(run.Stderr, Does.Contain("did not answer in time"), run.ToString());
        Assert.That(held, Is.Not.Empty, "gw reached the server");
        Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "not the minutes of the client's defaults");
    }

    [Test]
    public async Task ARequestTimeoutInTheEnvironmentThatIsNotADuration_Exit2_NamingTheVariable()
    {
        var run = await GwProcess.RunAsync(["circles"], environment: new() { ["GATEWAY_REQUEST_TIMEOUT"] = "soon" });

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Stderr, Does.Contain("GATEWAY_REQUEST_TIMEOUT is not a duration (got 'soon')"), run.ToString());
    }

    [TestCase("watch")]
    [TestCase("stream")]
    public async Task AnEventThatIsNotTheGatewaysJson_ExitsAsAnApiError_Saying_NotAsAFailedScript(string command)
    {
        // A proxy in front of the gateway answers the stream with an event of its own.
        var port = TestRedis.FreePort();
        using var listener = new System.Net.HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var paths = new List<string>();
        var server = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            paths.Add(context.Request.Url!.AbsolutePath);
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/event-stream";
            await context.Response.OutputStream.WriteAsync("event: status\ndata: <html>maintenance</html>\n\n"u8.ToArray());
            context.Response.Close();
        });
        string[] args = command == "watch" ? ["watch", "0123456789abcdef0123456789abcdef", "--circle", "c"] : ["stream", "--circle", "c"];

        var run = await GwProcess.RunAsync(args, url: new Uri($"http://127.0.0.1:{port}"));
        await server;

        Assert.That(paths, Has.Count.EqualTo(1).And.All.EndsWith(command == "watch" ? "/events" : "/stream"));
        Assert.That(run.ExitCode, Is.EqualTo(4), run.ToString());
        Assert.That(run.Stderr, Does.StartWith("error: An event could not be read."), run.ToString());
        Assert.That(run.Stderr, Does.Not.Contain("   at "), "no stack trace");
    }
}
