using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Gateway.Rhai;

internal delegate Dynamic Eval(Frame f);

internal delegate void Setter(Frame f, Dynamic value);

/// <summary>One activation: the local slots of the script, a function or a closure.</summary>
internal sealed class Frame(Dynamic[] locals, Runtime runtime)
{
    public const int SigNone = 0, SigBreak = 1, SigContinue = 2, SigReturn = 3;

    public readonly Dynamic[] L = locals;
    public readonly Runtime R = runtime;
    public Dynamic This;
    public bool HasThis;
    // `this` is a constant's value: it may be read, not changed.
    public bool ThisIsConst;
    public int Sig;
    public Dynamic SigValue;

    // The caller's variables, for a function called as `f!()` and for the script of an `eval`.
    public CallerScope? Caller;
}

/// <summary>
/// The variables at a call site that a function called as <c>f!()</c> (or <c>call!(fp)</c>), or an
/// <c>eval</c>'s script, may read and change: the calling frame and the slot of each name visible there.
/// </summary>
internal sealed class CallerScope(Frame frame, VisibleNames names, bool atTop)
{
    private readonly Frame frame = frame;
    private readonly VisibleNames names = names;

    /// <summary>The call stands at the script's top level, outside any block or function.</summary>
    public readonly bool AtTop = atTop;

    // Both walk the chain of callers in a loop: an eval nested thousands deep must not take as
    // many stack frames to miss a name.
    public bool TryGet(string name, out Dynamic value)
    {
        for (var scope = this; scope is not null; scope = scope.frame.Caller)
        {
            if (scope.names.TryGetValue(name, out var info))
            {
                var v = scope.frame.L[info.Slot];
                value = v.Type == RhaiType.Shared ? ((SharedCell)v.Obj!).Value : v;
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>Whether a caller has <paramref name="name"/>: and so whether it is a constant, or captured by a closure.</summary>
    public bool TryFind(string name, out bool isConst, out bool shared)
    {
        for (var scope = this; scope is not null; scope = scope.frame.Caller)
        {
            if (scope.names.TryGetValue(name, out var info))
            {
                isConst = info.IsConst;
                shared = scope.frame.L[info.Slot].Type == RhaiType.Shared;
                return true;
            }
        }
        isConst = shared = false;
        return false;
    }

    public bool TrySet(string name, Dynamic value, int line, int col)
    {
        for (var scope = this; scope is not null; scope = scope.frame.Caller)
        {
            if (!scope.names.TryGetValue(name, out var info)) continue;
            if (info.IsConst) throw new RhaiException(RhaiErrorKind.AssignmentToConstant, $"Cannot modify constant {name}", line, col);
            ref var slot = ref scope.frame.L[info.Slot];
            if (slot.Type == RhaiType.Shared) ((SharedCell)slot.Obj!).Value = value;
            else slot = value;
            return true;
        }
        return false;
    }
}

/// <summary>A compiled <c>fn</c> or closure body.</summary>
internal sealed class ScriptFunction
{
    public required string Name { get; init; }
    public required int Arity { get; init; }
    public int SlotCount { get; set; }
    public Eval Body { get; set; } = _ => Dynamic.Unit;
    public RhaiType? ThisType { get; init; }
    /// <summary>The type name a typed method was declared with (<c>fn int.f()</c> is <c>i64</c>), as Rhai records it.</summary>
    public string? ThisTypeName { get; init; }
    /// <summary>The parameters' names; for a closure, the variables it captures come first, as Rhai curries them.</summary>
    public string[] Params { get; init; } = [];
    public bool IsPrivate { get; init; }
    public int Line { get; init; }
    public int Column { get; init; }
    // Closures: (slot in the creating frame, slot in the closure's frame) per captured variable.
    public (int Outer, int Inner)[] Captures { get; set; } = [];
}

/// <summary>A function pointer: a name (script or built-in function) or a closure, with curried arguments.</summary>
internal sealed class FnPtr(string name, ScriptFunction? lambda, SharedCell[]? cells, Dynamic[] curried)
{
    public readonly string Name = name;
    public readonly ScriptFunction? Lambda = lambda;
    public readonly SharedCell[]? Cells = cells;
    public readonly Dynamic[] Curried = curried;

    public FnPtr Curry(IEnumerable<Dynamic> more) => new(Name, Lambda, Cells, [.. Curried, .. more]);

    public override string ToString() => $"Fn({Name})";
}

/// <summary>The state of one evaluation: limits, counters, output, globals.</summary>
internal sealed class Runtime
{
    private const long CheckEvery = 4096;

    public Runtime(RhaiEngine engine, RhaiAst ast, RhaiScope scope, CancellationToken token)
    {
        Engine = engine;
        Options = engine.Options;
        Ast = ast;
        Scope = scope;
        Token = token;
        MaxOps = Options.MaxOperations > 0 ? Options.MaxOperations : long.MaxValue;
        nextCheck = Math.Min(MaxOps, CheckEvery);
        SizeLimited = Options.MaxStringSize > 0 || Options.MaxArraySize > 0 || Options.MaxMapSize > 0;
    }

    public readonly RhaiEngine Engine;

    // Set by a `name!(…)` or `eval(…)` site just before the built-in runs; taken by the two that use
    // it, `call` and `eval`, for the frame they make, and cleared by the site afterwards.
    public CallerScope? PendingCaller;

    public CallerScope? TakePendingCaller()
    {
        var caller = PendingCaller;
        PendingCaller = null;
        return caller;
    }
    public readonly RhaiEngineOptions Options;
    public readonly RhaiScope Scope;
    public readonly CancellationToken Token;
    public readonly long MaxOps;
    public readonly bool SizeLimited;
    public RhaiAst Ast;
    public long Ops;
    public int Depth;
    public readonly Dictionary<string, Dynamic> Globals = new(StringComparer.Ordinal);
    public readonly Dictionary<string, RhaiModule> Imports = new(StringComparer.Ordinal);
    private long nextCheck;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Tick(int line, int col)
    {
        if (++Ops >= nextCheck) SlowTick(line, col);
    }

    /// <summary>
    /// A call of a built-in or host function: an operation like any other, and also a point to
    /// stop at when the run is cancelled. One such call on a large value (a string of millions of
    /// characters, an array of 300 000 elements) can take milliseconds, so the check every
    /// <see cref="CheckEvery"/> operations alone let a loop of them overrun its deadline by a minute.
    /// </summary>
    public void TickCall(int line, int col)
    {
        Tick(line, col);
        StopIfCancelled(line, col);
    }

    /// <summary>Ends the run if it was cancelled: where a built-in runs without counting an operation.</summary>
    public void StopIfCancelled(int line, int col)
    {
        if (Token.IsCancellationRequested) throw Terminated(line, col);
    }

    // The arrays, maps and blobs that built-ins running callbacks are working on, innermost last.
    private readonly List<object> held = [];

    /// <summary>
    /// Holds the arrays, maps and blobs among a built-in's arguments while it runs a callback over
    /// them, so that the callback cannot change what the built-in is walking (Rhai's data race);
    /// returns how many to release.
    /// </summary>
    public int Hold(Dynamic[] values)
    {
        var n = 0;
        foreach (var v in values)
        {
            if (v.Type is RhaiType.Array or RhaiType.Map or RhaiType.Blob)
            {
                held.Add(v.Obj!);
                n++;
            }
        }
        return n;
    }

    public void Release(int n) => held.RemoveRange(held.Count - n, n);

    /// <summary>Whether any built-in holds a value now.</summary>
    public bool Holds => held.Count > 0;

    /// <summary>Refuses to change <paramref name="value"/> while a built-in holds it (<see cref="Hold"/>).</summary>
    public void EnsureNotHeld(Dynamic value, int line, int col)
    {
        if (held.Count == 0 || value.Obj is null) return;
        foreach (var o in held)
        {
            if (ReferenceEquals(o, value.Obj)) throw DataRace(line, col);
        }
    }

    public static RhaiException DataRace(int line, int col) => new(RhaiErrorKind.DataRace, "Data race detected", line, col);

    /// <summary>
    /// <c>sleep</c>: waits on the engine's clock, and ends the run as soon as it is cancelled, so a
    /// sleep never outlasts the run's deadline.
    /// </summary>
    public void Sleep(TimeSpan duration, int line, int col)
    {
        StopIfCancelled(line, col);
        // Task.Delay takes at most about 49 days at a time.
        var longest = TimeSpan.FromDays(1);
        for (var left = duration; left > TimeSpan.Zero; left -= longest)
        {
            try
            {
                Task.Delay(left < longest ? left : longest, Options.Clock, Token).Wait();
            }
            catch (AggregateException e) when (e.InnerException is OperationCanceledException)
            {
                throw Terminated(line, col);
            }
        }
    }

    private static RhaiException Terminated(int line, int col) =>
        new(RhaiErrorKind.Terminated, "Script terminated", line, col);

    private void SlowTick(int line, int col)
    {
        if (Ops > MaxOps) throw new RhaiException(RhaiErrorKind.TooManyOperations, "Too many operations", line, col);
        if (Token.IsCancellationRequested) throw Terminated(line, col);
        nextCheck = MaxOps == long.MaxValue ? Ops + CheckEvery : Math.Min(MaxOps + 1, Ops + CheckEvery);
        if (MaxOps != long.MaxValue && Ops == MaxOps) nextCheck = MaxOps + 1;
    }

    public void EnterCall(int line, int col)
    {
        Tick(line, col);
        if (++Depth > Options.MaxCallLevels || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            Depth--;
            throw new RhaiException(RhaiErrorKind.StackOverflow, "Stack overflow", line, col);
        }
        if (Token.IsCancellationRequested)
        {
            Depth--;
            throw Terminated(line, col);
        }
    }

    public RhaiRunOptions? Run;

    public void Print(string text) => (Run?.OnPrint ?? Options.OnPrint)?.Invoke(text);

    public void Debug(string text, int line, int col) => (Run?.OnDebug ?? Options.OnDebug)?.Invoke(text, line, col);

    public static readonly long TimestampOrigin = TimeProvider.System.GetTimestamp();

    // ---- variables not resolved at compile time: the host scope, then function names as pointers.
    public Dynamic GetDynamic(string name, int line, int col)
    {
        if (Scope.TryGetValue(name, out var value)) return value;
        if (Ast.HasFunction(name)) return Dynamic.FromFnPtr(new FnPtr(name, null, null, []));
        throw new RhaiException(RhaiErrorKind.VariableNotFound, $"Variable not found: {name}", line, col);
    }

    /// <summary>
    /// Whether a built-in called as a function gets the variable <paramref name="name"/> by
    /// reference: as Rhai, not a constant, nor a variable a closure captured.
    /// </summary>
    public bool PassesByReference(Frame f, string name)
    {
        if (f.Caller is { } caller && caller.TryFind(name, out var isConst, out var shared)) return !isConst && !shared;
        return Scope.Contains(name) && !Scope.IsConstant(name);
    }

    /// <summary>Whether the variable <paramref name="name"/>, of a caller or of the host's scope, is a constant.</summary>
    public bool IsConstant(Frame f, string name) =>
        f.Caller is { } caller && caller.TryFind(name, out var isConst, out _) ? isConst : Scope.IsConstant(name);

    public void SetDynamic(string name, Dynamic value, int line, int col)
    {
        if (!Scope.Contains(name))
        {
            throw new RhaiException(RhaiErrorKind.VariableNotFound, $"Variable not found: {name}", line, col);
        }
        if (Scope.IsConstant(name))
        {
            throw new RhaiException(RhaiErrorKind.AssignmentToConstant, $"Cannot modify constant {name}", line, col);
        }
        Scope.Set(name, value);
    }

    public Dynamic GetGlobal(string name, int line, int col)
    {
        if (Globals.TryGetValue(name, out var value)) return value;
        if (Scope.TryGetValue(name, out value) && Scope.IsConstant(name)) return value;
        throw new RhaiException(RhaiErrorKind.VariableNotFound, $"Variable not found: global::{name}", line, col);
    }

    // ---- data size limits
    public void CheckSize(Dynamic value, int line, int col)
    {
        if (!SizeLimited) return;
        switch (value.Type)
        {
            case RhaiType.String:
                CheckStringLength(value.StringLength, line, col);
                break;
            case RhaiType.Array or RhaiType.Map or RhaiType.Blob:
                // Counting a container is as long as the container: a point to stop at, as a built-in call is.
                StopIfCancelled(line, col);
                var (arrays, maps, strings) = Sizes(value);
                if (Options.MaxArraySize > 0 && arrays > Options.MaxArraySize)
                {
                    throw new RhaiException(RhaiErrorKind.DataTooLarge, "Size of array/BLOB too large", line, col);
                }
                if (Options.MaxMapSize > 0 && maps > Options.MaxMapSize)
                {
                    throw new RhaiException(RhaiErrorKind.DataTooLarge, "Size of object map too large", line, col);
                }
                if (Options.MaxStringSize > 0 && strings > Options.MaxStringSize)
                {
                    throw new RhaiException(RhaiErrorKind.DataTooLarge, "Length of string too large", line, col);
                }
                break;
        }
    }

    /// <summary>Refuses a string of <paramref name="length"/> UTF-16 code units past the limit, before it is made.</summary>
    public void CheckStringLength(long length, int line, int col)
    {
        if (Options.MaxStringSize > 0 && length > Options.MaxStringSize)
        {
            throw new RhaiException(RhaiErrorKind.DataTooLarge, "Length of string too large", line, col);
        }
    }

    private static (long Arrays, long Maps, long Strings) Sizes(Dynamic value)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (value.Type)
        {
            case RhaiType.Array:
                var array = value.AsArray;
                var inArray = (Arrays: (long)array.Count, Maps: 0L, Strings: 0L);
                foreach (var item in array) AddNested(item, ref inArray);
                return inArray;
            case RhaiType.Map:
                var map = value.AsMap;
                var inMap = (Arrays: 0L, Maps: (long)map.Count, Strings: 0L);
                foreach (var item in map.Values) AddNested(item, ref inMap);
                return inMap;
            case RhaiType.Blob:
                return (value.AsBlob.Count, 0, 0);
            case RhaiType.String:
                return (0, 0, value.StringLength);
            default:
                return (0, 0, 0);
        }
    }

    // An item of an array or a map: what it holds counts towards its container's sizes.
    private static void AddNested(Dynamic item, ref (long Arrays, long Maps, long Strings) total)
    {
        if (item.Type is not (RhaiType.Array or RhaiType.Map or RhaiType.Blob or RhaiType.String)) return;
        var (arrays, maps, strings) = Sizes(item);
        total.Arrays += arrays;
        total.Maps += maps;
        total.Strings += strings;
    }
}
