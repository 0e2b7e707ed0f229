using System.Diagnostics;
using System.Globalization;
using Gateway.Rhai;

namespace Gateway.Bench;

/// <summary>
/// <c>rhai --speed</c>: the four timing scripts of the reference corpus on Gateway.Rhai (compile and
/// run, in process), against the same algorithms in JavaScript on Jint, best of three runs each.
/// </summary>
internal static class RhaiSpeed
{
    // Real Rhai v1.25.0 on this machine class, from the reference folder's README.
    private static readonly Dictionary<string, double> RealRhaiSeconds = new()
    {
        ["fibonacci.rhai"] = 3.79,
        ["primes.rhai"] = 1.34,
        ["speed_test.rhai"] = 0.25,
        ["mat_mul.rhai"] = 0.087,
    };

    private static readonly Dictionary<string, string> JavaScript = new()
    {
        ["fibonacci.rhai"] = """
            function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
            let result;
            for (let n = 0; n < 5; n++) { result = fib(28); }
            result;
            """,
        ["primes.rhai"] = """
            const MAX = 1000000;
            const mask = new Array(MAX + 1).fill(true);
            mask[0] = false; mask[1] = false;
            let total = 0;
            for (let p = 2; p <= MAX; p++) {
                if (!mask[p]) continue;
                total += 1;
                for (let i = 2 * p; i < MAX + 1; i += p) mask[i] = false;
            }
            total;
            """,
        ["speed_test.rhai"] = """
            let x = 1000000;
            while (x > 0) { x -= 1; }
            x;
            """,
        ["mat_mul.rhai"] = """
            const SIZE = 50;
            function newMat(x, y) { const m = []; for (let i = 0; i < x; i++) { m.push(new Array(y).fill(0.0)); } return m; }
            function matGen() {
                const n = SIZE; const tmp = 1.0 / n / n; const m = newMat(n, n);
                for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i][j] = tmp * (i - j) * (i + j);
                return m;
            }
            function matMul(a, b) {
                const b2 = newMat(a[0].length, b[0].length);
                for (let i = 0; i < a[0].length; i++) for (let j = 0; j < b[0].length; j++) b2[j][i] = b[i][j];
                const c = newMat(a.length, b[0].length);
                for (let i = 0; i < c.length; i++) for (let j = 0; j < c[i].length; j++) {
                    c[i][j] = 0.0;
                    for (let z = 0; z < a[i].length; z++) c[i][j] += a[i][z] * b2[j][z];
                }
                return c;
            }
            const c = matMul(matGen(), matGen());
            c[0][0];
            """,
    };

    public static void Run(string path)
    {
        Console.WriteLine();
        Console.WriteLine("| script | Gateway.Rhai (s) | real Rhai 1.25 (s) | Jint (s) | Rhai / Jint |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (name, realSeconds) in RealRhaiSeconds)
        {
            var source = File.ReadAllText(Path.Combine(path, "scripts", name));
            var engine = new RhaiEngine(new RhaiEngineOptions { OnPrint = _ => { } });
            var rhai = Best(() => engine.Eval(engine.Compile(source)));
            var jint = Best(() => new Jint.Engine().Evaluate(JavaScript[name]));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {rhai:F3} | {realSeconds:F3} | {jint:F3} | {rhai / jint:F2} |"));
        }
        RunGrowing();
    }

    /// <summary>
    /// Values grown one step at a time, under the limits a gateway run has (the size checks run
    /// only when limits are set): a string appends in place, an array and a map are re-counted
    /// after each step, as in Rhai.
    /// </summary>
    private static readonly (string Name, string Script)[] Growing =
    [
        ("string `+=`, 10 000 × 50 characters", """let s = ""; for i in 0..10000 { s += "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmn"; } s.len()"""),
        ("string `append`, 20 000 × 2", """let s = ""; for i in 0..20000 { s.append(i % 10); s.append(","); } s.len()"""),
        ("array `push`, 30 000", """let a = []; for i in 0..30000 { a.push(i); } a.len()"""),
        ("map insert, 10 000 keys", """let m = #{}; for i in 0..10000 { m["k" + i] = i; } m.len()"""),
    ];

    private static void RunGrowing()
    {
        Console.WriteLine();
        Console.WriteLine("| growing a value (gateway limits) | Gateway.Rhai (s) |");
        Console.WriteLine("|---|---:|");
        var engine = new RhaiEngine(new RhaiEngineOptions { MaxStringSize = 8_000_000, MaxArraySize = 333_333, MaxMapSize = 125_000 });
        foreach (var (name, script) in Growing)
        {
            var ast = engine.Compile(script);
            var seconds = Best(() => engine.Eval(ast));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {seconds:F4} |"));
        }
    }

    private static double Best(Action run)
    {
        var best = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            best = Math.Min(best, sw.Elapsed.TotalSeconds);
        }
        return best;
    }
}
