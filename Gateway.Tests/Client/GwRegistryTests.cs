using System.Diagnostics;
using System.Text.Json;
using Gateway.Client;

namespace Gateway.Tests.Client;

/// <summary><c>gw stream</c>, <c>gw scripts</c> (and running one by name) and <c>gw schedules</c> as real processes against the shared Api process.</summary>
[TestFixture]
public sealed class GwRegistryTests
{
    [Test]
    public async Task Scripts_PutTwiceTheSameText_KeepsItsVersion_RunsByName_AndAfterDeleteGetExits4()
    {
        var circle = TestRedis.NewCircle("gwscripts");

        var first = await GwProcess.RunAsync(["scripts", "put", "double", "-", "--circle", circle, "--description", "twice n", "--json"], stdin: "args.n * 2");
        var again = await GwProcess.RunAsync(["scripts", "put", "double", "-", "--circle", circle, "--json"], stdin: "args.n * 2");
        var changed = await GwProcess.RunAsync(["scripts", "put", "double", "-", "--circle", circle], stdin: "args.n * 3");
        var oldText = await GwProcess.RunAsync(["scripts", "get", "double", "--circle", circle, "--version", "1"]);
        var list = await GwProcess.RunAsync(["scripts", "list", "--circle", circle, "--json"]);
        var byName = await GwProcess.RunAsync(["run", "--script-name", "double", "--circle", circle, "--arg", "n=21"]);
        var pinned = await GwProcess.RunAsync(["submit", "--script-name", "double", "--script-version", "1", "--circle", circle, "--arg", "n=21", "--json"]);
        using var pinnedTask = JsonDocument.Parse(pinned.Stdout);
        var pinnedResult = await GwProcess.RunAsync(["wait", pinnedTask.RootElement.GetProperty("id").GetString()!, "--circle", circle]);
        var both = await GwProcess.RunAsync(["run", "-", "--script-name", "double", "--circle", circle], stdin: "1");
        var neither = await GwProcess.RunAsync(["submit", "--circle", circle]);
        var versionAlone = await GwProcess.RunAsync(["run", "-", "--script-version", "1", "--circle", circle], stdin: "1");
        var unknown = await GwProcess.RunAsync(["run", "--script-name", "triple", "--circle", circle]);

        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(Version(first), Is.EqualTo(1));
        Assert.That(Version(again), Is.EqualTo(1), "the same text does not make a new version");
        Assert.That(changed.Stdout, Is.EqualTo("double version 2\n"), changed.ToString());
        Assert.That(oldText.ExitCode, Is.EqualTo(0), oldText.ToString());
        Assert.That(oldText.Stdout, Is.EqualTo("args.n * 2\n"), "the text alone on stdout");
        using (var scripts = JsonDocument.Parse(list.Stdout))
        {
            var only = scripts.RootElement.EnumerateArray().Single();
            Assert.That(only.GetProperty("name").GetString(), Is.EqualTo("double"));
            Assert.That(only.GetProperty("version").GetInt32(), Is.EqualTo(2));
        }
        Assert.That(byName.ExitCode, Is.EqualTo(0), byName.ToString());
        Assert.That(byName.Stdout, Is.EqualTo("63\n"), "the latest version runs");
        Assert.That(pinned.ExitCode, Is.EqualTo(0), pinned.ToString());
        Assert.That(pinnedTask.RootElement.GetProperty("scriptName").GetString(), Is.EqualTo("double"));
        Assert.That(pinnedTask.RootElement.GetProperty("scriptVersion").GetInt32(), Is.EqualTo(1));
        Assert.That(pinnedResult.Stdout, Is.EqualTo("42\n"), "the pinned version runs: " + pinnedResult);
        foreach (var (usage, says) in new[] { (both, "not both"), (neither, "not neither"), (versionAlone, "--script-version goes with --script-name") })
        {
            Assert.That(usage.ExitCode, Is.EqualTo(2), usage.ToString());
            Assert.That(usage.Stderr, Does.Contain(says), usage.ToString());
        }
        Assert.That(unknown.ExitCode, Is.EqualTo(4), unknown.ToString());
        Assert.That(unknown.Stderr, Does.Contain("triple"), unknown.ToString());

        var delete = await GwProcess.RunAsync(["scripts", "delete", "double", "--circle", circle]);
        var gone = await GwProcess.RunAsync(["scripts", "get", "double", "--circle", circle]);
        var deleteAgain = await GwProcess.RunAsync(["scripts", "delete", "double", "--circle", circle]);

        Assert.That(delete.ExitCode, Is.EqualTo(0), delete.ToString());
        Assert.That(delete.Stdout, Is.EqualTo("double deleted\n"));
        Assert.That(gone.ExitCode, Is.EqualTo(4), gone.ToString());
        Assert.That(gone.Stdout, Is.Empty);
        Assert.That(gone.Stderr, Does.Contain("Not found."));
        Assert.That(deleteAgain.ExitCode, Is.EqualTo(4), deleteAgain.ToString());
    }

    [Test]
    public async Task Schedules_PutListGetDelete_CarryPriorityOverlapAndArgs_AndABadCronExits2NamingIt()
    {
        var circle = TestRedis.NewCircle("gwsched");

        var put = await GwProcess.RunAsync(["schedules", "put", "yearly", "-", "--circle", circle, "--cron", "0 0 1 1 *", "--time-zone", "Europe/Brussels",
            "--priority", "7", "--overlap", "allow", "--arg", "a=1", "--script-timeout", "2s", "--retry", "3", "--json"], stdin: "args.a");
        var paused = await GwProcess.RunAsync(["schedules", "put", "paused", "-", "--circle", circle, "--cron", "*/5 * * * * *", "--enabled", "false"], stdin: "1");
        var list = await GwProcess.RunAsync(["schedules", "list", "--circle", circle]);
        var get = await GwProcess.RunAsync(["schedules", "get", "yearly", "--circle", circle]);
        var badCron = await GwProcess.RunAsync(["schedules", "put", "bad", "-", "--circle", circle, "--cron", "61 * * * *"], stdin: "1");
        var unknownScript = await GwProcess.RunAsync(["schedules", "put", "named", "--circle", circle, "--cron", "* * * * *", "--script-name", "nothing"]);
        var both = await GwProcess.RunAsync(["schedules", "put", "both", "-", "--circle", circle, "--cron", "* * * * *", "--script-name", "x"], stdin: "1");

        Assert.That(put.ExitCode, Is.EqualTo(0), put.ToString());
        using (var stored = JsonDocument.Parse(put.Stdout))
        {
            var s = stored.RootElement;
            Assert.That(s.GetProperty("name").GetString(), Is.EqualTo("yearly"));
            Assert.That(s.GetProperty("timeZone").GetString(), Is.EqualTo("Europe/Brussels"));
            Assert.That(s.GetProperty("priority").GetInt32(), Is.EqualTo(7));
            Assert.That(s.GetProperty("overlap").GetString(), Is.EqualTo("allow"));
            Assert.That(s.GetProperty("timeoutMs").GetInt64(), Is.EqualTo(2000));
            Assert.That(s.GetProperty("args").GetProperty("a").GetInt32(), Is.EqualTo(1));
            var retry = s.GetProperty("retry");
            Assert.That((retry.GetProperty("attempts").GetInt32(), retry.GetProperty("backoffMs").GetInt64(), retry.GetProperty("factor").GetDouble()),
                Is.EqualTo((3, 1000L, 2.0)), "as gw submit --retry asks");
            var next = s.GetProperty("nextRunAt").GetDateTimeOffset().ToUniversalTime();
            Assert.That((next.Month, next.Day, next.Hour, next.Minute), Is.EqualTo((12, 31, 23, 0)), "midnight of new year in Brussels (UTC+1)");
        }
        Assert.That(paused.ExitCode, Is.EqualTo(0), paused.ToString());
        Assert.That(paused.Stdout, Is.EqualTo("paused has no next run\n"));
        Assert.That(list.ExitCode, Is.EqualTo(0), list.ToString());
        var rows = list.Stdout.TrimEnd().Split('\n');
        Assert.That(rows[0], Does.StartWith("NAME").And.Contain("PRIORITY"));
        Assert.That(rows.Skip(1).Select(r => r.Split("  ")[0]), Is.EqualTo(new[] { "paused", "yearly" }));
        using (var one = JsonDocument.Parse(get.Stdout))
            Assert.That(one.RootElement.GetProperty("cron").GetString(), Is.EqualTo("0 0 1 1 *"));
        Assert.That(badCron.ExitCode, Is.EqualTo(2), badCron.ToString());
        Assert.That(badCron.Stderr, Does.Contain("  cron: "));
        Assert.That(unknownScript.ExitCode, Is.EqualTo(4), unknownScript.ToString());
        Assert.That(both.ExitCode, Is.EqualTo(2), both.ToString());
        Assert.That(both.Stderr, Does.Contain("--script-name"));

        var delete = await GwProcess.RunAsync(["schedules", "delete", "yearly", "--circle", circle]);
        var gone = await GwProcess.RunAsync(["schedules", "get", "yearly", "--circle", circle]);
        var left = await GwProcess.RunAsync(["schedules", "list", "--circle", circle, "--json"]);

        Assert.That(delete.ExitCode, Is.EqualTo(0), delete.ToString());
        Assert.That(delete.Stdout, Is.EqualTo("yearly deleted\n"));
        Assert.That(gone.ExitCode, Is.EqualTo(4), gone.ToString());
        using (var remaining = JsonDocument.Parse(left.Stdout))
            Assert.That(remaining.RootElement.EnumerateArray().Select(s => s.GetProperty("name").GetString()), Is.EqualTo(new[] { "paused" }));
    }

    [Test]
    public async Task Schedules_PutWithAScriptVersion_PinsIt_AndTheVersionAloneExits2()
    {
        var circle = TestRedis.NewCircle("gwsched");
        await GwProcess.RunAsync(["scripts", "put", "vat", "-", "--circle", circle], stdin: "args.total * 1.2");
        await GwProcess.RunAsync(["scripts", "put", "vat", "-", "--circle", circle], stdin: "args.total * 1.21");

        var pinned = await GwProcess.RunAsync(["schedules", "put", "nightly", "--circle", circle, "--cron", "0 2 * * *", "--script-name", "vat", "--script-version", "1", "--json"]);
        var get = await GwProcess.RunAsync(["schedules", "get", "nightly", "--circle", circle]);
        var alone = await GwProcess.RunAsync(["schedules", "put", "alone", "-", "--circle", circle, "--cron", "0 2 * * *", "--script-version", "1"], stdin: "1");

        Assert.That(pinned.ExitCode, Is.EqualTo(0), pinned.ToString());
        using (var stored = JsonDocument.Parse(pinned.Stdout))
            Assert.That(stored.RootElement.GetProperty("scriptVersion").GetInt32(), Is.EqualTo(1));
        Assert.That(get.ExitCode, Is.EqualTo(0), get.ToString());
        using (var read = JsonDocument.Parse(get.Stdout))
        {
            Assert.That(read.RootElement.GetProperty("scriptVersion").GetInt32(), Is.EqualTo(1), "gw schedules get prints every field the server sends");
            Assert.That(read.RootElement.TryGetProperty("createdAt", out _), Is.True, get.Stdout);
        }
        Assert.That(alone.ExitCode, Is.EqualTo(2), alone.ToString());
        Assert.That(alone.Stderr, Does.Contain("--script-version goes with --script-name"));
    }

    [Test]
    public async Task Stream_ShowsASubmittedTaskComplete_AndCtrlCEndsItWithExit0()
    {
        var circle = TestRedis.NewCircle("gwstream");
        using var client = ClientApi.CreateClient();
        using var stream = GwProcess.Follow(["stream", "--circle", circle]);

        // The stream shows only what happens after it connected, and gw takes a moment to start:
        // submit until one of the tasks is seen to complete.
        var submitted = new List<string>();
        string? seen = null;
        for (var clock = Stopwatch.StartNew(); seen is null && clock.Elapsed < TimeSpan.FromSeconds(30);)
        {
            submitted.Add((await client.SubmitAsync(circle, "'streamed'")).Id);
            for (var wait = Stopwatch.StartNew(); seen is null && wait.Elapsed < TimeSpan.FromSeconds(1);)
            {
                seen = stream.Lines.FirstOrDefault(line => line.EndsWith("  completed", StringComparison.Ordinal) && submitted.Any(line.Contains));
                await Task.Delay(50);
            }
        }
        var run = await stream.InterruptAsync();

        Assert.That(seen, Is.Not.Null, run.ToString());
        Assert.That(seen, Does.Match(@"^\d\d:\d\d:\d\d\.\d{3}  [0-9a-f]{32}  completed$"));
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(run.Stderr, Does.Not.Contain("Exception"));
    }

    [Test]
    public async Task Stream_Json_PrintsEachChangeAsOneLineOfTaskJson()
    {
        var circle = TestRedis.NewCircle("gwstream");
        using var client = ClientApi.CreateClient();
        using var stream = GwProcess.Follow(["stream", "--circle", circle, "--json"]);

        var submitted = new List<string>();
        JsonDocument? completed = null;
        for (var clock = Stopwatch.StartNew(); completed is null && clock.Elapsed < TimeSpan.FromSeconds(30);)
        {
            submitted.Add((await client.SubmitAsync(circle, "6 * 7")).Id);
            for (var wait = Stopwatch.StartNew(); completed is null && wait.Elapsed < TimeSpan.FromSeconds(1);)
            {
                foreach (var line in stream.Lines)
                {
                    var task = JsonDocument.Parse(line);
                    if (task.RootElement.GetProperty("status").GetString() == "completed" && submitted.Contains(task.RootElement.GetProperty("id").GetString()!))
                    {
                        completed = task;
                        break;
                    }
                    task.Dispose();
                }
                await Task.Delay(50);
            }
        }
        var run = await stream.InterruptAsync();

        using (completed)
        {
            Assert.That(completed, Is.Not.Null, run.ToString());
            Assert.That(completed!.RootElement.GetProperty("result").GetInt32(), Is.EqualTo(42));
            Assert.That(completed.RootElement.GetProperty("circle").GetString(), Is.EqualTo(circle));
        }
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
    }

    private static int Version(GwProcess.Run run)
    {
        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        using var script = JsonDocument.Parse(run.Stdout);
        return script.RootElement.GetProperty("version").GetInt32();
    }
}
