using Gateway.Rhai;

namespace Gateway.Tests.Rhai;

/// <summary>Runs a Rhai script on a fresh engine and keeps what it printed.</summary>
internal static class RhaiRun
{
    public static (Dynamic Result, List<string> Output) Eval(string script, RhaiEngineOptions? options = null, RhaiScope? scope = null,
        CancellationToken cancellationToken = default)
    {
        var output = new List<string>();
        var engine = new RhaiEngine(options);
        var result = engine.Eval(engine.Compile(script), scope, new RhaiRunOptions
        {
            OnPrint = output.Add,
            OnDebug = (text, _, _) => output.Add(text),
        }, cancellationToken);
        return (result, output);
    }

    public static List<string> Output(string script) => Eval(script).Output;

    /// <summary>What <paramref name="run"/> returns, and the bytes this thread allocated while it ran.</summary>
    public static (T Value, long Allocated) Allocating<T>(Func<T> run)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var value = run();
        return (value, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    public static Dynamic Result(string script) => Eval(script).Result;

    public static RhaiException Error(string script, RhaiEngineOptions? options = null, CancellationToken cancellationToken = default,
        RhaiScope? scope = null)
    {
        var engine = new RhaiEngine(options);
        return Assert.Throws(Is.InstanceOf<RhaiException>(), () => engine.Eval(engine.Compile(script), scope, null, cancellationToken))
            is RhaiException e ? e : throw new AssertionException("no RhaiException");
    }
}
