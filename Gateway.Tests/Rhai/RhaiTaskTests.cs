using System.Net;
using System.Net.Http.Headers;
using Gateway.Tests.Infrastructure;

namespace Gateway.Tests.Rhai;

/// <summary>Rhai tasks through the whole pipeline: submit, a worker of this Api, the task JSON.</summary>
[TestFixture]
public sealed class RhaiTaskTests : ApiFixture
{
    [Test]
    public async Task ArgsWithALoneSurrogate_FailTheRhaiTaskSayingWhy_NotAsAnInternalError()
    {
        // JSON may escape a lone surrogate; a Rhai string cannot hold one. It was an internal error.
        var circle = TestRedis.NewCircle("rhai");
        var task = await Client.SendRawAsync(HttpMethod.Post, $"/api/circles/{circle}/tasks?wait=30",
            """{ "language": "rhai", "script": "args.s.len()", "args": { "s": "a\ud800" } }""");

        Assert.That(task.ErrorCode, Is.EqualTo("script_error"), task.ToString());
        Assert.That(task.Message(), Is.EqualTo("args holds a string that is not Unicode text (a lone surrogate), which a Rhai string cannot hold."));
    }

    [Test]
    public async Task Submit_RhaiWithArgs_ResultIsJsonOfItsLastValue()
    {
        var task = await Client.RunRhaiAsync(TestRedis.NewCircle("rhai"), """
            let big = args.n + 1;
            #{
                big: big,
                max: 9223372036854775807,
                float: 2.5,
                text: args.name + "!",
                list: [1, "two", 3.5, true, ()],
                nested: #{ b: [args.list[1]], a: args.map.k },
                unit: (),
                ch: 'x',
            }
            """, new { n = 9007199254740993, name = "héllo", list = new[] { 1, 2 }, map = new { k = "v" } });

        Assert.That(task.TaskStatus, Is.EqualTo("completed"), task.ToString());
        Assert.That(task.Body!["language"]!.GetValue<string>(), Is.EqualTo("rhai"));
        var result = task.Result!;
        Assert.Multiple(() =>
        {
            // Exact beyond 2^53, where a double would round.
            Assert.That(result["big"]!.GetValue<long>(), Is.EqualTo(9007199254740994L));
            Assert.That(result["max"]!.GetValue<long>(), Is.EqualTo(long.MaxValue));
            Assert.That(result["float"]!.GetValue<double>(), Is.EqualTo(2.5));
            Assert.That(result["text"]!.GetValue<string>(), Is.EqualTo("héllo!"));
            Assert.That(result["list"]!.ToJsonString(), Is.EqualTo("[1,\"two\",3.5,true,null]"));
            Assert.That(result["nested"]!.ToJsonString(), Is.EqualTo("{\"a\":\"v\",\"b\":[2]}"));
            Assert.That(result["unit"], Is.Null);
            Assert.That(result["ch"]!.GetValue<string>(), Is.EqualTo("x"));
        });
    }

    [Test]
    public async Task ReadmeExample_SumsTheItems()
    {
        var task = await Client.RunRhaiAsync(TestRedis.NewCircle("rhai"),
            "let total = 0; for x in args.items { total += x.price * x.qty; } #{ total: total, n: args.items.len() }",
            new { items = new[] { new { price = 3, qty = 2 }, new { price = 10, qty = 1 } } });

        Assert.That(task.Result!.ToJsonString(), Is.EqualTo("{\"n\":2,\"total\":16}"));
    }

    [TestCase("()")]
    [TestCase("let x = 1;")]
    public async Task UnitResult_IsNull(string script)
    {
        var task = await Client.RunRhaiAsync(TestRedis.NewCircle("rhai"), script);

        Assert.That(task.TaskStatus, Is.EqualTo("completed"), task.ToString());
        Assert.That(task.Result, Is.Null);
    }

    [Test]
    public async Task TaskMap_HasIdCircleCallerAndAttempt()
    {
        var circle = TestRedis.NewCircle("rhai");
        var task = await Client.RunRhaiAsync(circle, "[task.id, task.circle, task.caller, task.attempt, type_of(task)]");

        Assert.That(task.Result!.ToJsonString(), Is.EqualTo($"[\"{task.Id}\",\"{circle}\",null,1,\"map\"]"));
    }

    [Test]
    public async Task PrintAndDebug_GoToOutput_OneLineEach()
    {
        var task = await Client.RunRhaiAsync(TestRedis.NewCircle("rhai"), """
            print("hello");
            print(40 + 2);
            debug("quoted");
            print([1, "a"]);
            "done"
            """);

        Assert.That(task.Result!.GetValue<string>(), Is.EqualTo("done"));
        Assert.That(task.Body!["output"]!.GetValue<string>(), Is.EqualTo("hello\n42\n3:1 | \"quoted\"\n[1, \"a\"]"));
    }

    [Test]
    public async Task GiantOutput_IsCutWithAVisibleMarker_AsForJavaScript()
    {
        var task = await Client.RunRhaiAsync(TestRedis.NewCircle("rhai"), "for i in 0..20000 { print(`line ${i} ${\"x\".pad(50, 'x')}`); } \"ok\"");

        var output = task.Body!["output"]!.GetValue<string>();
        Assert.That(task.TaskStatus, Is.EqualTo("completed"), task.ToString());
        Assert.That(output, Does.StartWith("line 0 "));
        Assert.That(output, Does.EndWith("…[output truncated]"));
        Assert.That(output.Length, Is.LessThanOrEqualTo(65536 + 30));
    }

    [Test]
    public async Task SyntaxError_IsSyntaxError_WithLineAndColumn()
    {
        var task = await Client.RunRhaiAsync(TestRedis.NewCircle("rhai"), "let a = 1;\nlet = 5;");

        Assert.That(task.ErrorCode, Is.EqualTo("syntax_error"), task.ToString());
        Assert.That(task.Line(), Is.EqualTo(2), task.ToString());
        Assert.That(task.Column(), Is.EqualTo(5), task.ToString());
    }

    [Test]
    public async Task Throw_IsScriptError_WithTheThrownValueAsMessage()
    {
        var circle = TestRedis.NewCircle("rhai");
        var text = await Client.RunRhaiAsync(circle, "let x = 1;\n  throw \"boom\";");
        var map = await Client.RunRhaiAsync(circle, "throw #{ code: 7 }");

        Assert.That(text.ErrorCode, Is.EqualTo("script_error"), text.ToString());
        Assert.That(text.Message(), Is.EqualTo("boom"));
        Assert.That((text.Line(), text.Column()), Is.EqualTo((2, 3)), text.ToString());
        Assert.That(map.ErrorCode, Is.EqualTo("script_error"), map.ToString());
        Assert.That(map.Message(), Is.EqualTo("#{\"code\": 7}"));
    }

    [Test]
    public async Task RuntimeError_IsScriptError_WithItsLine()
    {
        var task = await Client.RunRhaiAsync(TestRedis.NewCircle("rhai"), "let a = 1;\nlet b = a / 0;");

        Assert.That(task.ErrorCode, Is.EqualTo("script_error"), task.ToString());
        Assert.That(task.Message(), Does.Contain("Division by zero"));
        Assert.That(task.Line(), Is.EqualTo(2), task.ToString());
    }

    [Test]
    public async Task CaughtThrow_Completes()
    {
        var task = await Client.RunRhaiAsync(TestRedis.NewCircle("rhai"), "try { throw \"x\"; } catch (e) { `caught ${e}` }");

        Assert.That(task.Result!.GetValue<string>(), Is.EqualTo("caught x"));
    }

    [Test]
    public async Task DeepRecursion_IsRecursionLimit_WithItsLine()
    {
        var task = await Client.RunRhaiAsync(TestRedis.NewCircle("rhai"), "fn f(n) { f(n + 1) }\nf(0)");

        Assert.That(task.ErrorCode, Is.EqualTo("recursion_limit"), task.ToString());
        Assert.That(task.Line(), Is.GreaterThan(0), task.ToString());
    }

    [Test]
    public async Task StringDoubling_IsMemoryLimit_WithItsLine()
    {
        var task = await Client.RunRhaiAsync(TestRedis.NewCircle("rhai"), "let s = \"x\";\nloop { s += s; }");

        Assert.That(task.ErrorCode, Is.EqualTo("memory_limit"), task.ToString());
        Assert.That(task.Line(), Is.EqualTo(2), task.ToString());
        Assert.That(task.Message(), Does.Contain("string"));
    }

    [Test]
    public async Task EndlessLoop_IsTimeout_AtItsDeadline()
    {
        var task = await Client.RunRhaiAsync(TestRedis.NewCircle("rhai"), "let i = 0;\nloop { i += 1; }", timeoutMs: 300);

        Assert.That(task.ErrorCode, Is.EqualTo("timeout"), task.ToString());
        Assert.That(task.Body!["durationMs"]!.GetValue<double>(), Is.InRange(250, 2500), task.ToString());
        Assert.That(task.Line(), Is.EqualTo(2), task.ToString());
    }

    [Test]
    public async Task CancelWhileRunning_IsCancelled()
    {
        var circle = TestRedis.NewCircle("rhai");
        var running = await Client.SubmitAsync(circle, new { script = "loop { }", language = "rhai", timeoutMs = 60_000 });
        await Client.WaitForStatusAsync(circle, running.Id, "processing");

        var cancelled = await GatewayClient.ReadAsync(await Client.DeleteAsync($"/api/circles/{circle}/tasks/{running.Id}"));
        var final = await Client.WaitForStatusAsync(circle, running.Id, "cancelled");

        Assert.That(cancelled.Status, Is.EqualTo(HttpStatusCode.OK).Or.EqualTo(HttpStatusCode.Accepted), cancelled.ToString());
        Assert.That(final.Body!["error"], Is.Null, final.ToString());
    }

    [Test]
    public async Task Batch_AcceptsRhai_BesideJavaScript()
    {
        var circle = TestRedis.NewCircle("rhai");
        var batch = await GatewayClient.ReadAsync(await Client.PostAsync($"/api/circles/{circle}/tasks/batch", System.Net.Http.Json.JsonContent.Create(new
        {
            tasks = new object[]
            {
                new { script = "40 + 2", language = "rhai" },
                new { script = "[1, 2].map(x => x * 2)" },
            },
        })));

        Assert.That(batch.Status, Is.EqualTo(HttpStatusCode.Accepted), batch.ToString());
        var rhai = await Client.GetTaskAsync(circle, batch.Body!["tasks"]![0]!["id"]!.GetValue<string>(), wait: 20);
        var js = await Client.GetTaskAsync(circle, batch.Body!["tasks"]![1]!["id"]!.GetValue<string>(), wait: 20);
        Assert.That(rhai.Body!["language"]!.GetValue<string>(), Is.EqualTo("rhai"));
        Assert.That(rhai.Result!.GetValue<long>(), Is.EqualTo(42));
        Assert.That(js.Body!["language"]!.GetValue<string>(), Is.EqualTo("javascript"));
        Assert.That(js.Result!.ToJsonString(), Is.EqualTo("[2,4]"));
    }

    [Test]
    public async Task UnknownLanguage_Is400_NamingTheField()
    {
        var task = await Client.SubmitAsync(TestRedis.NewCircle("rhai"), new { script = "1", language = "python" });

        Assert.That(task.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(task.Body!["errors"]!["language"]![0]!.GetValue<string>(), Does.Contain("rhai"));
    }

    [Test]
    public async Task RhaiScriptBody_RunsAsRhai()
    {
        using var content = new StringContent("let xs = [1, 2, 3];\nxs.reduce(|sum, x| sum + x, 0)");
        content.Headers.ContentType = new MediaTypeHeaderValue("text/x-rhai");
        var task = await GatewayClient.ReadAsync(await Client.PostAsync($"/api/circles/{TestRedis.NewCircle("rhai")}/tasks?wait=10", content));

        Assert.That(task.TaskStatus, Is.EqualTo("completed"), task.ToString());
        Assert.That(task.Body!["language"]!.GetValue<string>(), Is.EqualTo("rhai"));
        Assert.That(task.Result!.GetValue<long>(), Is.EqualTo(6));
    }

    [Test]
    public async Task SameIdempotencyKey_WithAnotherLanguage_Is409()
    {
        var circle = TestRedis.NewCircle("rhai");
        var first = await SubmitWithKeyAsync(circle, "k-lang", new { script = "1 + 1", language = "rhai" });
        var again = await SubmitWithKeyAsync(circle, "k-lang", new { script = "1 + 1", language = "RHAI" });
        var other = await SubmitWithKeyAsync(circle, "k-lang", new { script = "1 + 1" });

        Assert.That(first.Status, Is.EqualTo(HttpStatusCode.Accepted), first.ToString());
        Assert.That(again.Id, Is.EqualTo(first.Id), "the same request, the language spelled in capitals");
        Assert.That(other.Status, Is.EqualTo(HttpStatusCode.Conflict), other.ToString());
    }

    [Test]
    public async Task SameScriptTwice_RunsFromTheParseCache_WithItsOwnArgs()
    {
        var circle = TestRedis.NewCircle("rhai");
        const string script = "fn double(x) { x * 2 } double(args.n)";
        var one = await Client.RunRhaiAsync(circle, script, new { n = 2 });
        var two = await Client.RunRhaiAsync(circle, script, new { n = 5 });

        Assert.That(one.Result!.GetValue<long>(), Is.EqualTo(4));
        Assert.That(two.Result!.GetValue<long>(), Is.EqualTo(10));
    }

    private async Task<ApiResponse> SubmitWithKeyAsync(string circle, string key, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/circles/{circle}/tasks")
        {
            Content = System.Net.Http.Json.JsonContent.Create(body),
        };
        request.Headers.Add("Idempotency-Key", key);
        return await GatewayClient.ReadAsync(await Client.SendAsync(request));
    }
}

/// <summary>Statement limits are off by default; this Api turns them on.</summary>
[TestFixture]
public sealed class RhaiOperationLimitTests : ApiFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Gateway:Limits:MaxStatements"] = "100000",
    };

    [Test]
    public async Task EndlessLoop_WithAStatementLimit_IsStatementLimit()
    {
        var task = await Client.RunRhaiAsync(TestRedis.NewCircle("rhai"), "let i = 0;\nloop { i += 1; }", timeoutMs: 30_000);

        Assert.That(task.ErrorCode, Is.EqualTo("statement_limit"), task.ToString());
        Assert.That(task.Line(), Is.EqualTo(2), task.ToString());
        Assert.That(task.Message(), Does.Contain("100000"));
    }

    [Test]
    public async Task ShortScript_UnderTheLimit_Completes()
    {
        var task = await Client.RunRhaiAsync(TestRedis.NewCircle("rhai"), "let s = 0; for i in 0..1000 { s += i; } s");

        Assert.That(task.Result!.GetValue<long>(), Is.EqualTo(499500));
    }
}
