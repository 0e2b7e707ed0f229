using Gateway.Core.Configuration;
using Gateway.Scripting.Sandbox;
using Jint;
using Jint.Runtime;

namespace Gateway.Tests.Sandbox;

/// <summary>
/// A task's args reach its script as <c>JSON.parse</c> of the same text would give them: each
/// case is read both ways in one sandboxed engine and compared member by member.
/// </summary>
[TestFixture]
public sealed class TaskArgsTests
{
    /// <summary>Same type, same value (<c>Object.is</c>: -0 and NaN too), same own keys in the same order, same flags and prototype.</summary>
    private const string Same = """
        function same(x, y) {
          if (typeof x !== typeof y) return false;
          if (x === null || typeof x !== 'object') return Object.is(x, y);
          if (Array.isArray(x) !== Array.isArray(y)) return false;
          if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return false;
          if (Object.isExtensible(x) !== Object.isExtensible(y)) return false;
          const kx = Reflect.ownKeys(x), ky = Reflect.ownKeys(y);
          if (kx.length !== ky.length) return false;
          for (let i = 0; i < kx.length; i++) {
            if (kx[i] !== ky[i]) return false;
            const dx = Object.getOwnPropertyDescriptor(x, kx[i]), dy = Object.getOwnPropertyDescriptor(y, ky[i]);
            if (dx.writable !== dy.writable || dx.enumerable !== dy.enumerable || dx.configurable !== dy.configurable) return false;
            if (!same(dx.value, dy.value)) return false;
          }
          return true;
        }
        """;

    private static IEnumerable<TestCaseData> Texts()
    {
        string[] texts =
        [
            """{"a":2,"b":3}""", "{}", "[]", "\"text\"", "1", "-0", "-0.0", "0.1", "1e400", "-1e400", "1E-400",
            "12345678901234567890", "true", "false", "null", "  { \"a\" : 1 , \"b\" : [ ] }  ",
            // A repeated name keeps its first place and its last value.
            """{"b":1,"a":2,"b":3}""",
            // Integer-like names come first, in numeric order.
            """{"2":"x","1":"y","a":1,"0":"z","4294967295":"not an index"}""",
            // An own property, never the prototype.
            """{"__proto__":{"polluted":true},"a":1}""",
            """{"s":"\ud83d\ude00 \u00e9 \n \"q\" \\ \/","":"empty name"}""",
            """[1,"a",null,true,{"x":[]},[[2]],-1.5e-7]""",
            """{"a":[1,2,{"b":{"c":[]}}],"n":{"deep":{"er":{}}}}""",
            Nested(SandboxOptions.JsonParseDepth - 1), Nested(SandboxOptions.JsonParseDepth),
        ];
        return texts.Select(Case);
    }

    /// <summary>A lone surrogate escaped in a string: System.Text.Json will not read it as a string, JSON.parse does.</summary>
    private static IEnumerable<TestCaseData> LoneSurrogates() => new[] { "\"\\ud800\"", """{"k\udc00":"\ud800x"}""" }.Select(Case);

    private static TestCaseData Case(string text) => new TestCaseData(text).SetArgDisplayNames(text.Length > 40 ? text[..40] + "…" : text);

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    [TestCaseSource(nameof(Texts))]
    public void Args_ReadWithoutTheEnginesParser_AreWhatJsonParseGives(string text)
    {
        using var engine = new Engine(SandboxOptions.Build(new LimitsOptions()));
        var args = TaskArgs.Read(engine, text);

        Assert.That(args, Is.Not.Null, "read without the engine's parser");
        AssertSameAsJsonParse(engine, text, args!);
    }

    [TestCaseSource(nameof(LoneSurrogates))]
    public void ArgsSystemTextJsonReadsDifferently_GoToTheEnginesParser(string text)
    {
        using var engine = new Engine(SandboxOptions.Build(new LimitsOptions()));

        Assert.That(TaskArgs.Read(engine, text), Is.Null);
        AssertSameAsJsonParse(engine, text, TaskArgs.Parse(engine, text));
    }

    private static void AssertSameAsJsonParse(Engine engine, string text, Jint.Native.JsValue args)
    {
        engine.SetValue("text", text);
        engine.SetValue("args", args);
        engine.Execute(Same);

        Assert.That(engine.Evaluate("same(args, JSON.parse(text))").AsBoolean(), Is.True,
            $"args {engine.Evaluate("JSON.stringify(args)")} against JSON.parse {engine.Evaluate("JSON.stringify(JSON.parse(text))")}");
    }

    [Test]
    public void ArgsNestedPastTheLimit_FailAsJsonParseDoes()
    {
        var text = Nested(SandboxOptions.JsonParseDepth + 1);
        using var engine = new Engine(SandboxOptions.Build(new LimitsOptions()));
        engine.SetValue("text", text);

        var parse = Assert.Throws<JavaScriptException>(() => engine.Evaluate("JSON.parse(text)"))!;
        var args = Assert.Throws<JavaScriptException>(() => TaskArgs.Parse(engine, text))!;
        Assert.That(args.Message, Is.EqualTo(parse.Message));
    }
}
