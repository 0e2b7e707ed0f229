namespace Gateway.Tests.Sandbox;

/// <summary>The Rhai half of the hostile-script catalogue: the same attacks, written in Rhai.</summary>
public static class RhaiHostileScripts
{
    /// <summary>Time for a memory bomb to reach its limit on a starved CPU.</summary>
    private const int MemoryBudgetMs = 5_000;

    public static IEnumerable<HostileScript> All()
    {
        // Endless loops, wherever they hide.
        yield return new("rhai loop: plain", "loop { }", "timeout");
        yield return new("rhai sleep past the deadline", "sleep(3600)", "timeout");
        yield return new("rhai loop: while", "let i = 0; while true { i += 1; }", "timeout");
        yield return new("rhai loop: do until", "do { } until false;", "timeout");
        yield return new("rhai loop: a huge range", "for i in 0..9223372036854775807 { }", "timeout");
        yield return new("rhai loop: in a closure", "[1, 2].map(|x| { loop { } })", "timeout");
        yield return new("rhai loop: in a function", "fn spin() { loop { } } spin()", "timeout");
        // Limits cannot be caught; the empty catch is the attack.
        yield return new("rhai loop: catch and retry", "loop { try { loop { } } catch { /* swallow the limit, loop again */ } }", "timeout");
        // Steps that take as long as their values are large: milliseconds each on millions of characters.
        yield return new("rhai loop: a built-in on a long string", "let s = \"x\"; s.pad(4_000_000, 'x'); loop { s.sub_string(1); }", "timeout");
        yield return new("rhai loop: interpolating a long string", "let s = \"x\"; s.pad(4_000_000, 'x'); loop { let t = `${s}`; }", "timeout");

        // Recursion.
        yield return new("rhai recursion: plain", "fn f() { f() } f()", "recursion_limit");
        yield return new("rhai recursion: mutual", "fn a(n) { b(n + 1) } fn b(n) { a(n + 1) } a(0)", "recursion_limit");
        yield return new("rhai recursion: catch and retry", "fn f() { try { f() } catch { f() } } f()", "recursion_limit");
        yield return new("rhai recursion: through a function pointer", "fn f(g) { g.call(g) } f(Fn(\"f\"))", "recursion_limit");
        yield return new("rhai recursion: eval of itself", "eval(\"let s = \\\"eval(s)\\\";\"); eval(s)", "recursion_limit");
        yield return new("rhai recursion: calls in the caller's scope", "fn f() { x += 1; f!() } let x = 0; f!()", "recursion_limit");
        // Each level reads the script's own variable through every caller above it.
        yield return new("rhai recursion: eval in the caller's scope", "let s = \"let t = s; eval(t)\"; eval(s)", "recursion_limit");
        // Fn("eval") is refused, as in Rhai (eval is a reserved word): the loop goes through a script function's pointer.
        yield return new("rhai recursion: eval through a function pointer", "fn r(x) { let f = Fn(\"r\"); eval(\"f.call(x)\") } r(1)", "recursion_limit");
        yield return new("rhai recursion: parser nesting", new string('(', 30_000) + "1" + new string(')', 30_000), "recursion_limit");
        yield return new("rhai recursion: nested blocks", new string('{', 30_000) + new string('}', 30_000), "recursion_limit");
        yield return new("rhai recursion: nested array literal", new string('[', 30_000) + new string(']', 30_000), "recursion_limit");
        // Long chains, within the 64 KB a script may have: each link's evaluation calls the one before it.
        yield return new("rhai recursion: a chain of method calls", HostileScript.Chain("let x = 1; x", ".abs()", 10_000), "recursion_limit");
        yield return new("rhai recursion: a chain of properties", HostileScript.Chain("let m = #{}; m", ".a", 30_000), "recursion_limit");
        yield return new("rhai recursion: a chain of operators", HostileScript.Chain("let x = 1; x", " + x", 15_000), "recursion_limit");

        // Memory: one step that asks for a lot, or growth that doubles.
        yield return new("rhai memory: string doubling", "let s = \"x\"; loop { s += s; }", "memory_limit", MemoryBudgetMs);
        yield return new("rhai memory: string doubling by interpolation", "let s = \"x\"; loop { s = `${s}${s}`; }", "memory_limit", MemoryBudgetMs);
        yield return new("rhai memory: pad a string", "let s = \"\"; s.pad(1_000_000_000, 'x'); s.len()", "memory_limit", MemoryBudgetMs);
        yield return new("rhai memory: array doubling", "let a = [1]; loop { a += a; }", "memory_limit", MemoryBudgetMs);
        yield return new("rhai memory: nested array doubling", "let a = []; loop { a = [a, a]; }", "memory_limit", MemoryBudgetMs);
        yield return new("rhai memory: pad an array", "let a = []; a.pad(1_000_000_000, 0); a.len()", "memory_limit", MemoryBudgetMs);
        yield return new("rhai memory: blob", "let b = blob(1_000_000_000); b.len()", "memory_limit", MemoryBudgetMs);
        yield return new("rhai memory: big strings in an array",
            "let s = \"x\"; s.pad(100_000, 'x'); let a = []; loop { a.push(s); }", "memory_limit", MemoryBudgetMs);
        yield return new("rhai memory: map of arrays",
            "let m = #{}; let big = [1]; for i in 0..16 { big += big; } let i = 0; loop { m[`k${i}`] = big; i += 1; }", "memory_limit", MemoryBudgetMs);
        // Rhai re-counts an array after each push, so growing one element at a time meets the deadline first.
        yield return new("rhai memory: push one at a time", "let a = []; loop { a.push(1); }", "timeout");
        // The empty catch is the attack again: swallow the size limit and grow the string once more.
        yield return new("rhai memory: catch and retry", "loop { try { let s = \"x\"; loop { s += s; } } catch { /* swallow the limit, grow again */ } }", "memory_limit", MemoryBudgetMs);

        // No way out of the sandbox: no modules to import, no files, no host objects.
        yield return new("rhai import of an unknown module", "import \"std::fs\" as fs; fs::read(\"/etc/hostname\")", "script_error");
        yield return new("rhai unknown function", "open(\"/etc/hostname\")", "script_error");

        // A callback that changes, through a captured variable, the value its call is working on.
        yield return new("rhai callback clears the array it filters", "let a = [1, 2, 3]; a.retain(|x| { a.clear(); true })", "script_error");
        yield return new("rhai callback grows the array it walks", "let a = [1]; a.for_each(|x| { loop { a.push(x) } })", "script_error");
        yield return new("rhai callback clears the map it filters", "let m = #{a: 1, b: 2}; m.retain(|k| { m.clear(); true })", "script_error");
        yield return new("rhai callback clears the args it filters", "args = [1, 2, 3]; args.retain(|x| { args.clear(); true })", "script_error");
        yield return new("rhai callback changes the task it walks", "task.retain(|k| { task.id = 1; true })", "script_error");
    }
}
