using System.Diagnostics;
using System.Text;
using Gateway.Rhai;
using Gateway.Tests.Sandbox;

namespace Gateway.Tests.Rhai;

/// <summary>
/// The Rhai half of the hostile-script suite at the library level: each script ends with its own
/// error category, in bounded time, and the process stays up for the next evaluation.
/// </summary>
[TestFixture]
public sealed class RhaiHostileScriptTests
{
    private static RhaiEngineOptions Limits() => new()
    {
        MaxOperations = 1_000_000,
        MaxCallLevels = 64,
        MaxStringSize = 1_000_000,
        MaxArraySize = 100_000,
        MaxMapSize = 100_000,
    };

    [TearDown]
    public void NextEvaluationStillWorks() =>
        Assert.That(new RhaiEngine(Limits()).Eval("40 + 2").AsInt, Is.EqualTo(42));

    [Test]
    public void InfiniteLoop_WithMaxOperations_IsTooManyOperations()
    {
        var e = RhaiRun.Error("loop { }", Limits());
        Assert.That(e.Kind, Is.EqualTo(RhaiErrorKind.TooManyOperations));
        Assert.That(e.Category, Is.EqualTo(RhaiErrorCategory.OperationLimit));
    }

    [TestCase("let b = blob(1000); let f = Fn(\"splice\"); loop { f.call(b, 0, 0, b) }")]
    [TestCase("let x = [1]; let f = Fn(\"append\"); loop { f.call(x, x) }")]
    public void ACuttingBuiltinThroughAFunctionPointer_NeverGrowsTheCallersValue(string script)
    {
        // The pointer's call changes a copy (as Rhai passes values), so the loop ends at the
        // operations limit with the value as it was, not in gigabytes of memory.
        var e = RhaiRun.Error(script, Limits());
        Assert.That(e.Kind, Is.EqualTo(RhaiErrorKind.TooManyOperations), e.Message);
    }

    [Test]
    public void ACuttingBuiltinThroughAFunctionPointer_IsHeldToTheSizeLimits()
    {
        var e = RhaiRun.Error("let x = []; x.pad(99999, 0); Fn(\"append\").call(x, [1, 2, 3])", Limits());
        Assert.That(e.Kind, Is.EqualTo(RhaiErrorKind.DataTooLarge), e.Message);
    }

    [Test]
    public void AFloatRangeOfBillionsOfSteps_IsHeldToTheArraySizeLimit()
    {
        // Its steps are made before the loop runs: without the limit this filled memory.
        var options = Limits();
        options.MaxOperations = 0;
        var e = RhaiRun.Error("for x in range(0.0, 1e12, 1.0) { break; }", options);
        Assert.That(e.Kind, Is.EqualTo(RhaiErrorKind.DataTooLarge), e.Message);
    }

    [Test]
    public void InfiniteLoop_WithCancellation_IsTerminated()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var sw = Stopwatch.StartNew();
        var e = RhaiRun.Error("let x = 0; while true { x += 1; }", new RhaiEngineOptions(), cts.Token);
        Assert.Multiple(() =>
        {
            Assert.That(e.Kind, Is.EqualTo(RhaiErrorKind.Terminated));
            Assert.That(e.Category, Is.EqualTo(RhaiErrorCategory.Terminated));
            Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        });
    }

    [TestCase("sleep(3600)")]
    [TestCase("sleep(3600.0)")]
    [TestCase("loop { sleep(0.001) }")]
    [TestCase("sleep(9223372036854775807)")]
    public void Sleep_EndsWhenTheRunIsCancelled(string script)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var sw = Stopwatch.StartNew();
        var e = RhaiRun.Error(script, new RhaiEngineOptions(), cts.Token);
        Assert.That(e.Kind, Is.EqualTo(RhaiErrorKind.Terminated), e.Message);
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    /// <summary>
    /// Each of these takes as long as its values are large: on a string of 8 million characters
    /// or an array of 300 000 elements, one step is milliseconds, and a run cancelled at 1 s went
    /// on for 4 to 82 s when the run stopped only at every 4096th operation. The run must stop at
    /// such a step once cancelled: here the run starts cancelled, the line before the loop holds
    /// no such step, and the loop, a few operations a round, would reach its own error long
    /// before its 4096th operation.
    /// </summary>
    [TestCase("s.index_of(\"y\")", TestName = "{m}(method)")]
    [TestCase("index_of(s, \"y\")", TestName = "{m}(function)")]
    [TestCase("f.call(s, \"y\")", TestName = "{m}(function pointer)")]
    [TestCase("s.len", TestName = "{m}(property)")]
    [TestCase("a == b", TestName = "{m}(equals)")]
    [TestCase("s != \"y\"", TestName = "{m}(not equals)")]
    [TestCase("s < \"y\"", TestName = "{m}(compare)")]
    [TestCase("s + s", TestName = "{m}(concatenate)")]
    [TestCase("s - \"y\"", TestName = "{m}(remove)")]
    [TestCase("\"y\" in s", TestName = "{m}(in)")]
    [TestCase("s[0]", TestName = "{m}(index)")]
    [TestCase("s[0..1]", TestName = "{m}(slice)")]
    [TestCase("s[0] = 'x'", TestName = "{m}(set character)")]
    [TestCase("a[0] = 1", TestName = "{m}(set element)")]
    [TestCase("m[\"k\"] = 2", TestName = "{m}(set entry)")]
    [TestCase("`${s}`", TestName = "{m}(interpolate)")]
    public void Cancel_StopsTheRunAtTheNextStepThatGrowsWithItsValues(string step)
    {
        var script = "let n = 0;\n" +
            $"loop {{ n += 1; if n > 100 {{ throw \"ran on\"; }} {step}; }}";
        var scope = new RhaiScope()
            .Push("f", new RhaiEngine().Eval("Fn(\"index_of\")"))
            .Push("s", Dynamic.FromString("x"))
            .Push("a", Dynamic.FromArray([Dynamic.FromInt(1)]))
            .Push("b", Dynamic.FromArray([Dynamic.FromInt(1)]))
            .Push("m", Dynamic.FromMap(new RhaiMap { ["k"] = Dynamic.FromInt(1) }));
        var e = RhaiRun.Error(script, Limits(), new CancellationToken(canceled: true), scope);
        Assert.Multiple(() =>
        {
            Assert.That(e.Kind, Is.EqualTo(RhaiErrorKind.Terminated), e.Message);
            Assert.That(e.Line, Is.EqualTo(2));
        });
    }

    [Test]
    public void CancellationInsideDeepCalls_IsTerminated()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var e = RhaiRun.Error("fn f(n) { if n < 2 { n } else { f(n - 1) + f(n - 2) } } f(60)", new RhaiEngineOptions(), cts.Token);
        Assert.That(e.Kind, Is.EqualTo(RhaiErrorKind.Terminated));
    }

    [Test]
    public void ThrowCannotCatchALimit()
    {
        var e = RhaiRun.Error("try { loop { } } catch { print(\"caught\") }", Limits());
        Assert.That(e.Kind, Is.EqualTo(RhaiErrorKind.TooManyOperations));
    }

    [Test]
    public void DeepRecursion_IsACallLevelError_NotACrash()
    {
        var e = RhaiRun.Error("fn down(n) { down(n + 1) } down(0)", Limits());
        Assert.That(e.Kind, Is.EqualTo(RhaiErrorKind.StackOverflow));
        Assert.That(e.Category, Is.EqualTo(RhaiErrorCategory.RecursionLimit));
    }

    [Test]
    public void DeepRecursion_WithAHugeCallLimit_StopsBeforeTheHostStackDoes()
    {
        var options = Limits();
        options.MaxCallLevels = 10_000_000;
        options.MaxOperations = 0;
        var e = RhaiRun.Error("fn down(n) { 1 + down(n + 1) } down(0)", options);
        Assert.That(e.Kind, Is.EqualTo(RhaiErrorKind.StackOverflow));
    }

    [Test]
    public void RecursiveClosureInAMap_IsACallLevelError()
    {
        var e = RhaiRun.Error("let o = #{ f: || this.f() }; o.f()", Limits());
        Assert.That(e.Kind, Is.EqualTo(RhaiErrorKind.StackOverflow));
    }

    [Test]
    public void ExponentialStringGrowth_IsDataTooLarge()
    {
        var e = RhaiRun.Error("let s = \"x\"; loop { s += s; }", Limits());
        Assert.Multiple(() =>
        {
            Assert.That(e.Kind, Is.EqualTo(RhaiErrorKind.DataTooLarge));
            Assert.That(e.Category, Is.EqualTo(RhaiErrorCategory.DataLimit));
        });
    }

    [Test]
    public void StringRepetitionByMultiplication_IsNotAnOperator()
    {
        Assert.That(RhaiRun.Error("\"x\" * 1000000000", Limits()).Kind, Is.EqualTo(RhaiErrorKind.FunctionNotFound));
    }

    [Test]
    public void HugePad_IsDataTooLarge_BeforeAllocating()
    {
        Assert.That(RhaiRun.Error("let s = \"\"; s.pad(2000000000, 'x');", Limits()).Kind, Is.EqualTo(RhaiErrorKind.DataTooLarge));
        Assert.That(RhaiRun.Error("let a = []; a.pad(2000000000, 0);", Limits()).Kind, Is.EqualTo(RhaiErrorKind.DataTooLarge));
    }

    [Test]
    public void GrowingArray_IsDataTooLarge()
    {
        Assert.That(RhaiRun.Error("let a = []; loop { a.push(1); }", Limits()).Kind, Is.EqualTo(RhaiErrorKind.DataTooLarge));
        Assert.That(RhaiRun.Error("let a = [1]; loop { a += a; }", Limits()).Kind, Is.EqualTo(RhaiErrorKind.DataTooLarge));
    }

    [Test]
    public void GrowingMap_IsDataTooLarge()
    {
        Assert.That(RhaiRun.Error("let m = #{}; let i = 0; loop { m[`k${i}`] = i; i += 1; }", Limits()).Kind, Is.EqualTo(RhaiErrorKind.DataTooLarge));
    }

    [Test]
    public void DeeplyNestedParentheses_AreAParseError_NotAStackOverflow()
    {
        var script = new string('(', 100_000) + "1" + new string(')', 100_000);
        var e = Assert.Throws<RhaiParseException>(() => new RhaiEngine(Limits()).Compile(script))!;
        Assert.That(e.ParseErrorType, Is.EqualTo("ExprTooDeep"));
    }

    [Test]
    public void DeeplyNestedBlocksAndUnaryOperators_AreParseErrors()
    {
        var engine = new RhaiEngine(Limits());
        Assert.Throws<RhaiParseException>(() => engine.Compile(new string('{', 50_000) + new string('}', 50_000)));
        Assert.Throws<RhaiParseException>(() => engine.Compile(new string('!', 100_000) + "true"));
        Assert.Throws<RhaiParseException>(() => engine.Compile(new string('[', 100_000)));
    }

    // Rhai counts each operator of a chain as one level of nesting (tests/stack.rs,
    // test_stack_overflow_parsing): with a limit of N, N - 2 operators compile and N - 1 do not.
    [TestCase(32)]
    [TestCase(64)]
    [TestCase(100)]
    public void AnOperatorChain_CountsOneLevelPerOperator_AsRhaiDoes(int limit)
    {
        var engine = new RhaiEngine(new RhaiEngineOptions { MaxExpressionDepth = limit });
        string Chain(int operators) => HostileScript.Chain("1", " + 1", operators);

        Assert.That(engine.Eval(Chain(limit - 2)).AsInt, Is.EqualTo(limit - 1));
        var e = Assert.Throws<RhaiParseException>(() => engine.Compile(Chain(limit - 1)))!;
        Assert.That(e.ParseErrorType, Is.EqualTo("ExprTooDeep"));
    }

    [TestCase(" + x")]
    [TestCase(" && x")]
    [TestCase(" ?? x")]
    [TestCase(" ** x")]
    public void LongOperatorChains_AreParseErrors_NotAStackOverflow(string link)
    {
        var script = HostileScript.Chain("let x = 1; x", link, 100_000);
        var e = Assert.Throws<RhaiParseException>(() => new RhaiEngine(Limits()).Compile(script))!;
        Assert.That(e.ParseErrorType, Is.EqualTo("ExprTooDeep"));
    }

    // Rhai sets no limit on a chain of calls, properties or indexes; one of a hundred thousand
    // links ends as a stack overflow error when it runs, not as the end of the process.
    [TestCase("let x = 1; x", ".abs()")]
    [TestCase("let m = #{}; m", ".a")]
    [TestCase("let m = (); m", "?.a")]
    [TestCase("let a = [1]; a", "[0]")]
    public void LongPostfixChains_AreAStackOverflowError_NotACrash(string head, string link)
    {
        var script = HostileScript.Chain(head, link, 100_000);
        var e = RhaiRun.Error(script, Limits());
        Assert.That(e.Kind, Is.EqualTo(RhaiErrorKind.StackOverflow));
    }

    [Test]
    public void AChainOfSomeLength_StillRuns()
    {
        Assert.That(RhaiRun.Result(HostileScript.Chain("let x = -1; x", ".abs()", 500)).AsInt, Is.EqualTo(1));
        Assert.That(RhaiRun.Result(HostileScript.Chain("let m = #{a: #{a: 7}}; m.a.a", ".to_string().len()", 200)).AsInt, Is.EqualTo(1));
        Assert.That(RhaiRun.Result("let a = [[[[5]]]]; a[0][0][0][0]").AsInt, Is.EqualTo(5));
    }

    // Each f!() or eval call site keeps the variables visible there. Copied per call site, the
    // f!() script below (63 KB, under the gateway's 64 KB) allocated 559 MB to compile.
    [TestCase("f!();")]
    [TestCase("eval(\"1\");")]
    public void ManyVariablesAndManyCallsInTheCallersScope_CompileInLittleMemory(string call)
    {
        var script = "fn f() { 1 } " + string.Concat(Enumerable.Range(0, 2_500).Select(i => $"let v{i} = {i}; {call}"))
            + HostileScript.Chain("", call, 1_500) + " v2499";
        var engine = new RhaiEngine(Limits());

        var (ast, allocated) = RhaiRun.Allocating(() => engine.Compile(script));

        Assert.That(allocated, Is.LessThan(40L * 1024 * 1024), $"{allocated / 1048576} MB allocated to compile {script.Length} characters");
        Assert.That(engine.Eval(ast).AsInt, Is.EqualTo(2_499));
    }

    [Test]
    public void DeeplyNestedInterpolation_IsAParseError()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < 20_000; i++) sb.Append("`${");
        Assert.Throws<RhaiParseException>(() => new RhaiEngine(Limits()).Compile(sb.ToString()));
    }
}
