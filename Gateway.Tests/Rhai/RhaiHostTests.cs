using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Gateway.Rhai;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Rhai;

/// <summary>What a host needs: scope in, result out as JSON, modules, print capture, one AST many runs.</summary>
[TestFixture]
public sealed class RhaiHostTests
{
    [Test]
    public void Scope_GivesArgsAsMap_AndResultConvertsToJson()
    {
        var scope = new RhaiScope().Push("args", RhaiJson.FromJsonString("""{"n": 9007199254740993, "x": 1.5, "tags": ["a"], "o": null}"""));
        var (result, _) = RhaiRun.Eval("#{ n: args.n + 1, t: type_of(args.x), tags: args.tags, o: args.o, c: 'z', f: 0.0 / 0.0 }", scope: scope);
        var json = RhaiJson.ToJsonNode(result)!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(json["n"]!.GetValue<long>(), Is.EqualTo(9007199254740994L));
            Assert.That(json["t"]!.GetValue<string>(), Is.EqualTo("f64"));
            Assert.That(json["tags"]!.ToJsonString(), Is.EqualTo("""["a"]"""));
            Assert.That(json["o"], Is.Null);
            Assert.That(json["c"]!.GetValue<string>(), Is.EqualTo("z"));
            Assert.That(json["f"]!.GetValue<string>(), Is.EqualTo("NaN"));
        });
    }

    [Test]
    public void StaticModule_FunctionsTakeAndReturnRhaiValues_AndErrorsAreCatchable()
    {
        var engine = new RhaiEngine();
        var calendar = new RhaiModule()
            .SetFunction("create_event", 1, a =>
            {
                var input = a[0].AsMap;
                if (!input.ContainsKey("title")) throw new RhaiHostException(Dynamic.FromString("title is required"));
                var map = new RhaiMap { ["id"] = Dynamic.FromInt(1), ["title"] = input["title"] };
                return Dynamic.FromMap(map);
            })
            .SetVariable("VERSION", Dynamic.FromInt(2));
        engine.RegisterStaticModule("calendar", calendar);
        var ast = engine.Compile("""
            let e = calendar::create_event(#{ title: "standup" });
            let err = "";
            try { calendar::create_event(#{}) } catch (x) { err = x; }
            `${e.id}:${e.title}:${err}:${calendar::VERSION}`
            """);
        Assert.That(engine.Eval(ast).ToString(), Is.EqualTo("1:standup:title is required:2"));
    }

    [Test]
    public void ImportedModule_IsReachableThroughItsAlias()
    {
        var engine = new RhaiEngine();
        engine.RegisterStaticModule("math2", new RhaiModule().SetFunction("twice", 1, a => Dynamic.FromInt(a[0].AsInt * 2)));
        Assert.That(engine.Eval("import \"math2\" as m; m::twice(21)").AsInt, Is.EqualTo(42));
        Assert.That(Assert.Throws<RhaiException>(() => engine.Eval("import \"nope\" as n;"))!.Kind, Is.EqualTo(RhaiErrorKind.ModuleNotFound));
    }

    [Test]
    public void OneAst_RunsConcurrently_WithSeparateOutput()
    {
        var engine = new RhaiEngine();
        var ast = engine.Compile("fn f(n) { if n < 2 { n } else { f(n - 1) + f(n - 2) } } print(`${who}`); f(15)");
        var outputs = new List<string>[8];
        Parallel.For(0, 8, i =>
        {
            var lines = new List<string>();
            var result = engine.Eval(ast, new RhaiScope().Push("who", Dynamic.FromInt(i)), new RhaiRunOptions { OnPrint = lines.Add });
            Assert.That(result.AsInt, Is.EqualTo(610));
            outputs[i] = lines;
        });
        for (var i = 0; i < 8; i++) Assert.That(outputs[i], Is.EqualTo(new[] { i.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
    }

    [Test]
    public void TopLevelVariables_StayInTheScope_ForTheNextRun()
    {
        var engine = new RhaiEngine();
        var scope = new RhaiScope();
        engine.Eval(engine.Compile("let total = 40;"), scope);
        Assert.That(engine.Eval(engine.Compile("total + 2"), scope).AsInt, Is.EqualTo(42));
    }

    [Test]
    public void JsonRoundTrip_KeepsIntegersExact()
    {
        var value = RhaiJson.FromJsonNode(JsonNode.Parse("""{"big": 9223372036854775807, "f": 2.0}"""));
        Assert.Multiple(() =>
        {
            Assert.That(value.AsMap["big"].Type, Is.EqualTo(RhaiType.Int));
            Assert.That(value.AsMap["f"].Type, Is.EqualTo(RhaiType.Float));
            Assert.That(RhaiJson.ToJsonString(value), Is.EqualTo("""{"big":9223372036854775807,"f":2}"""));
        });
    }
    [Test]
    public void StrictVariables_KnowTheScopesVariables_WhenCompiledWithIt()
    {
        var engine = new RhaiEngine(new RhaiEngineOptions { StrictVariables = true });
        var scope = new RhaiScope().Push("x", Dynamic.FromInt(42));
        const string script = "fn foo(z) { z } let f = foo; call(f, x)";
        Assert.Multiple(() =>
        {
            Assert.That(engine.Eval(script, scope).AsInt, Is.EqualTo(42));
            Assert.That(engine.Eval(engine.Compile(script, scope), scope).AsInt, Is.EqualTo(42));
            // Without the scope at compile time, x is undefined.
            Assert.That(Assert.Throws<RhaiParseException>(() => engine.Compile(script))!.Message, Does.Contain("Undefined variable: x"));
            Assert.Throws<RhaiParseException>(() => engine.Eval("x + y", scope));
        });
    }

    [Test]
    public void NoShadowing_RefusesALetOfAVariableTheScopeHas_WhenTheScriptRuns()
    {
        var engine = new RhaiEngine(new RhaiEngineOptions { AllowShadowing = false });
        var ast = engine.Compile("let y = 1; let x = 42;");
        var withX = new RhaiScope().Push("x", Dynamic.FromInt(1));
        var e = Assert.Throws<RhaiException>(() => engine.Eval(ast, withX))!;
        Assert.Multiple(() =>
        {
            Assert.That(e.Kind, Is.EqualTo(RhaiErrorKind.VariableExists));
            Assert.That(e.Message, Does.Contain("Variable already defined: x"));
            Assert.That(e.Line, Is.EqualTo(1));
            Assert.That(e.Column, Is.EqualTo(12));
            Assert.That(engine.Eval(ast, new RhaiScope()).IsUnit, Is.True);
        });
    }

    // `export let x` of a name declared before exports the new x, not the last name declared.
    [Test]
    public void ExportLet_OfANameDeclaredBefore_ExportsTheNewVariable()
    {
        var engine = new RhaiEngine(new RhaiEngineOptions
        {
            ModuleSourceResolver = path => path == "m" ? "let x = 1; let y = 2; export let x = 3;" : null,
        });
        Assert.That(engine.Eval("import \"m\" as m; m::x").AsInt, Is.EqualTo(3));
    }

    [Test]
    public void ExitInAModule_EndsTheModuleOnly_KeepingWhatItExportedBefore()
    {
        var engine = new RhaiEngine(new RhaiEngineOptions
        {
            ModuleSourceResolver = path => path == "m" ? "export const a = 1; exit(5); export const b = 2;" : null,
        });
        Assert.That(engine.Eval("import \"m\" as m; m::a + 10").AsInt, Is.EqualTo(11));
    }

    [Test]
    public void Exit_LeavesTheScriptsTopLevelVariablesInTheHostsScope()
    {
        var scope = new RhaiScope();
        var result = new RhaiEngine().Eval("let x = 1; exit(2); let y = 3;", scope);

        Assert.That(result.AsInt, Is.EqualTo(2));
        Assert.That(scope.TryGetValue("x", out var x) && x.AsInt == 1, Is.True, "x is in the scope");
    }

    /// <summary>
    /// <c>sleep</c> waits on the engine's clock: the run goes on only once the clock has moved
    /// past the seconds asked for, and the test moves a fake clock, so a sleep that waited on
    /// real time could not end within the few real milliseconds the test gives it. Zero, a
    /// negative and a subnormal number do not wait, as in Rhai.
    /// </summary>
    [Test]
    public async Task Sleep_WaitsOnTheEnginesClock()
    {
        var clock = new FakeTimeProvider();
        var printed = new ConcurrentQueue<string>();
        var engine = new RhaiEngine(new RhaiEngineOptions { Clock = clock, OnPrint = printed.Enqueue });
        var ast = engine.Compile("sleep(0); sleep(-1); sleep(-2.5); sleep(1e-310); print(\"asleep\"); sleep(1); sleep(1.5); print(\"awake\"); 7");
        var run = Task.Run(() => engine.Eval(ast));

        for (var i = 0; i < 200 && printed.IsEmpty; i++) await Task.Delay(50);
        Assert.That(printed, Is.EqualTo(new[] { "asleep" }), "the first four sleeps do not wait");
        await Task.Delay(100);
        clock.Advance(TimeSpan.FromSeconds(2.4));
        await Task.Delay(100);
        Assert.That(run.IsCompleted, Is.False, "2.4 s of the 2.5 asked for");

        var advanced = TimeSpan.FromSeconds(2.4);
        for (var i = 0; i < 20 && !run.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            advanced += TimeSpan.FromMilliseconds(100);
            await Task.WhenAny(run, Task.Delay(10));
        }
        Assert.That(run.IsCompleted, Is.True, $"awake once the clock moved past 2.5 s ({advanced.TotalSeconds} s moved)");
        Assert.That((await run).AsInt, Is.EqualTo(7));
        Assert.That(printed, Is.EqualTo(new[] { "asleep", "awake" }));
    }
}
