namespace Gateway.Tests.Sandbox;

/// <summary>A script that attacks the sandbox, the error code it must end with, and the time budget it gets.</summary>
public sealed record HostileScript(string Name, string Script, string? ExpectedCode, int TimeoutMs = 1000)
{
    public override string ToString() => Name;

    /// <summary><paramref name="head"/> followed by <paramref name="links"/> copies of <paramref name="link"/>: a long chain.</summary>
    public static string Chain(string head, string link, int links) => head + string.Concat(Enumerable.Repeat(link, links));
}

/// <summary>The hostile-script catalogue: every way we know of to hang, crash, bloat or escape a worker.</summary>
public static class HostileScripts
{
    /// <summary>
    /// Time for a memory bomb: it must end by its memory budget, which counts what the script
    /// holds — a script must really build 64 MB of small objects, a few million of them, before
    /// it fails, and on a starved CPU that takes several seconds.
    /// </summary>
    private const int MemoryBudgetMs = 10_000;

    /// <summary>Time to build a value nested a hundred thousand deep on a starved CPU.</summary>
    private const int DeepValueBudgetMs = 10_000;

    private const string Backtracking = "/(a+)+$/.test('a'.repeat(32) + '!')";

    /// <summary>
    /// Scripts that allocate far more than the memory budget but hold almost nothing: each must
    /// reach its natural end, never <c>memory_limit</c>.
    /// </summary>
    public static IEnumerable<HostileScript> GarbageOnly()
    {
        yield return new("garbage: busy-wait on Date.now", "const e = Date.now() + 2000; while (Date.now() < e) {} 'done'", null, TimeoutMs: 10_000);
        yield return new("garbage: logging forever", "for (let i = 0; ; i++) console.log('line ' + i + ' ' + 'x'.repeat(50))", "timeout", TimeoutMs: 4_000);
        yield return new("garbage: promise ping-pong", "(async () => { for (;;) { await null; } })()", "timeout", TimeoutMs: 4_000);
        yield return new("garbage: long concatenations dropped", "const b = 'y'.repeat(600); let n = 0; for (;;) { const t = b + n + b; n += t.length }", "timeout", TimeoutMs: 4_000);
        yield return new("garbage: arrays built and dropped", "for (;;) { const a = new Array(1e5).fill(1); a.length }", "timeout", TimeoutMs: 4_000);
    }

    public static IEnumerable<HostileScript> All()
    {
        // Endless loops, wherever they hide.
        yield return new("loop: plain", "while (true) {}", "timeout");
        yield return new("loop: in finally", "try { throw 1 } finally { while (true) {} }", "timeout");
        yield return new("loop: in a sort comparator", "[3, 2, 1].sort((a, b) => { while (true) {} })", "timeout");
        yield return new("loop: in a promise job", "Promise.resolve().then(() => { while (true) {} })", "timeout");
        yield return new("loop: async ping-pong", "(async () => { for (;;) { await null; } })()", "timeout");
        yield return new("loop: a promise that never settles", "new Promise(() => {})", "timeout");
        yield return new("loop: in a getter", "({ get x() { for (;;) {} } }).x", "timeout");
        yield return new("loop: in toJSON of the result", "({ toJSON() { for (;;) {} } })", "timeout");
        // The empty JS catch blocks below are the attack: a script that swallows every limit and tries again.
        yield return new("loop: catch and retry", "for (;;) { try { while (true) {} } catch (e) { /* swallow the limit, loop again */ } }", "timeout");
        // Each round one slow built-in on a long string: the deadline must not wait for dozens of rounds.
        yield return new("loop: a regex replace over a long string", "const s = 'x'.repeat(8_000_000); for (;;) { s.replace(/x/g, 'y'); }", "timeout");

        // Recursion.
        yield return new("recursion: plain", "function f() { f() } f()", "recursion_limit");
        yield return new("recursion: valueOf", "var o = { valueOf() { return +this } }; +o", "recursion_limit");
        yield return new("recursion: getter", "var o = { get x() { return this.x } }; o.x", "recursion_limit");
        yield return new("recursion: proxy trap", "var p = new Proxy({}, { get(t, k, r) { return r[k] } }); p.x", "recursion_limit");
        yield return new("recursion: toString", "var o = { toString() { return `${this}` } }; `${o}`", "recursion_limit");
        yield return new("recursion: parser nesting", new string('(', 30_000) + "1" + new string(')', 30_000), "recursion_limit");
        yield return new("recursion: catch and retry", "function f() { try { f() } catch (e) { f() } } f()", "recursion_limit");
        yield return new("recursion: JSON.parse nesting", "JSON.parse('['.repeat(100000))", "script_error");
        // Long chains, within the 64 KB a script may have: each link's evaluation calls the one before it.
        yield return new("recursion: a chain of method calls", HostileScript.Chain("let s = 'a'; s", ".trim()", 9_000), "recursion_limit");
        yield return new("recursion: a chain of properties", HostileScript.Chain("let o = {}; o", ".a", 30_000), "recursion_limit");
        yield return new("recursion: a chain of operators", HostileScript.Chain("let x = 1; x", " + x", 15_000), "recursion_limit");
        // Values nested deeper than any stack, built in a loop: whatever walks them stops in time.
        yield return new("deep value: as the result", "let a = []; for (let i = 0; i < 100000; i++) a = [a]; a", "script_error", DeepValueBudgetMs);
        yield return new("deep value: an object as the result", "let a = {}; for (let i = 0; i < 100000; i++) a = { a }; a", "script_error", DeepValueBudgetMs);
        yield return new("deep value: JSON.stringify", "let a = []; for (let i = 0; i < 100000; i++) a = [a]; JSON.stringify(a).length", "recursion_limit", DeepValueBudgetMs);
        yield return new("deep value: to a string", "let a = []; for (let i = 0; i < 100000; i++) a = [a]; String(a).length", "recursion_limit", DeepValueBudgetMs);

        // Memory.
        yield return new("memory: array growth", "let a = []; while (true) a.push(new Array(1e5).fill(1))", "memory_limit", MemoryBudgetMs);
        yield return new("memory: string doubling", "let s = 'x'; while (true) s += s", "memory_limit", MemoryBudgetMs);
        yield return new("memory: repeat", "let s = 'x'.repeat(2 ** 28); s.length", "memory_limit", MemoryBudgetMs);
        yield return new("memory: padEnd", "let s = ''.padEnd(2 ** 28, 'ab'); s.length", "memory_limit", MemoryBudgetMs);
        yield return new("memory: join", "let s = new Array(1e5).fill('x'.repeat(1e4)).join(''); s.length", "memory_limit", MemoryBudgetMs);
        yield return new("memory: Map bomb", "const m = new Map(); for (let i = 0; ; i++) m.set(i, { i })", "memory_limit", MemoryBudgetMs);
        yield return new("memory: object key bomb", "const o = {}; for (let i = 0; ; i++) o['k' + i] = i", "memory_limit", MemoryBudgetMs);
        yield return new("memory: held strings", "const k = []; for (let i = 0; ; i++) k.push('x'.repeat(1000) + i)", "memory_limit", MemoryBudgetMs);
        yield return new("memory: held objects", "const k = []; for (let i = 0; ; i++) k.push({ i, name: 'n' + i, tags: [i] })", "memory_limit", MemoryBudgetMs);
        yield return new("memory: held closures", "const k = []; for (let i = 0; ; i++) { const d = [i, i + 1]; k.push(() => d) }", "memory_limit", MemoryBudgetMs);
        yield return new("memory: private fields", "class A { #d = new Array(1000).fill(0) } const k = []; for (;;) k.push(new A())", "memory_limit", MemoryBudgetMs);
        yield return new("memory: held by pending promises", "const k = []; for (;;) k.push(Promise.resolve(new Array(1e4).fill(1)).then(x => x))", "memory_limit", MemoryBudgetMs);
        yield return new("memory: deep recursion holding arrays", "function f(n) { const a = new Array(1e5).fill(n); return n ? f(n - 1) + a.length : 0 } f(500)", "memory_limit", MemoryBudgetMs);
        yield return new("memory: huge sparse array filled", "new Array(1e9).fill(0)", "memory_limit", MemoryBudgetMs);
        yield return new("memory: Array.from length", "Array.from({ length: 1e9 })", "memory_limit", MemoryBudgetMs);
        yield return new("memory: typed arrays in a loop", "const k = []; for (;;) k.push(new Uint8Array(1e6))", "memory_limit", MemoryBudgetMs);
        yield return new("memory: one huge typed array", "const big = new Uint8Array(8e8); big.length", "memory_limit", MemoryBudgetMs);
        // 10 MB: well inside the memory budget, so the result's size alone is what ends it (a typed
        // array larger than the budget may meet the memory limit first, depending on when memory is measured).
        yield return new("result: huge typed array", "new Uint8Array(1e7)", "result_too_large");
        // The empty JS catch is the attack again: swallow the memory limit and allocate once more.
        yield return new("memory: catch and retry", "for (;;) { try { let a = []; while (true) a.push(new Array(1e5).fill(1)) } catch (e) { /* swallow the limit, allocate again */ } }", "memory_limit", MemoryBudgetMs);

        // Regular expressions.
        yield return new("regex: catastrophic backtracking", Backtracking, "timeout");
        yield return new("regex: built with RegExp", "new RegExp('(a+)+$').test('a'.repeat(32) + '!')", "timeout");
        yield return new("regex: catch and retry", $"for (;;) {{ try {{ {Backtracking} }} catch (e) {{}} }}", "timeout", TimeoutMs: 1500);

        // Blocking the thread.
        yield return new("atomics: wait", "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)", "script_error");

        // String compilation and constructor tricks.
        yield return new("eval", "eval('1 + 1')", "script_error");
        yield return new("Function constructor", "Function('return this')()", "script_error");
        yield return new("constructor of a function", "(() => 0).constructor('return globalThis')()", "script_error");
        yield return new("async function constructor", "(async () => 0).constructor('return 1')()", "script_error");
        yield return new("constructor of console.log", "console.log.constructor('return 1')()", "script_error");
        yield return new("setTimeout string", "setTimeout('1', 0)", "script_error");

        // Reaching .NET.
        yield return new("clr: System namespace", "System.IO.File.ReadAllText('/etc/hostname')", "script_error");
        yield return new("clr: importNamespace", "importNamespace('System.IO')", "script_error");
        yield return new("clr: GetType on a host function", "console.log.GetType()", "script_error");
        yield return new("clr: GetType on args", "args.GetType()", "script_error");
        yield return new("clr: require", "require('fs')", "script_error");
        yield return new("clr: dynamic import", "import('fs')", "script_error");

        // Results that cannot be JSON.
        yield return new("result: cyclic", "const o = {}; o.self = o; o", "script_error");
        yield return new("result: BigInt", "10n ** 20n", "script_error");
        yield return new("result: too large", "'x'.repeat(2e6)", "result_too_large");
    }
}
