namespace Gateway.Rhai;

/// <summary>Context a built-in function gets: the evaluation and the call's position.</summary>
// FirstIsConst: the first argument is a constant's value (given to `call`, which binds it as `this`).
internal readonly record struct Ctx(Runtime R, int Line, int Col, bool FirstIsConst = false)
{
    public RhaiException Error(RhaiErrorKind kind, string message) => new(kind, message, Line, Col);
}

internal delegate Dynamic BuiltinFn(Ctx c, Dynamic[] a);

/// <summary>
/// A built-in function, given its first argument by reference. <see cref="Mutating"/>: Rhai does not
/// mark it pure, so it is refused on a constant receiver, and what it leaves in its first argument
/// is written back. One name and arity can stand for several Rhai functions, not pure for some
/// types of the first argument and pure for others: <see cref="ImpureTypes"/> (<c>split(index)</c>
/// cuts an array and only reads a string; <c>get</c> is not marked pure for an array alone).
/// Given a function pointer, it calls back into the script while it works on its arguments, which
/// it holds meanwhile (RunBuiltin) — except one that <see cref="BindsThis"/> (<c>x.call(f)</c>): that
/// one gives its first argument to the callback as <c>this</c>, and is not refused on a constant;
/// the callback is, if it changes its constant <c>this</c>.
/// </summary>
internal sealed record Builtin(BuiltinFn Fn, bool Mutating)
{
    public ulong ImpureTypes { get; init; } = ulong.MaxValue;

    public bool BindsThis { get; init; }

    public bool Mutates(Dynamic first) => Mutating && (ImpureTypes & Bit(first.Type)) != 0;

    /// <summary>A set of types for <see cref="ImpureTypes"/>.</summary>
    public static ulong Types(params RhaiType[] types) => types.Aggregate(0UL, (set, t) => set | Bit(t));

    private static ulong Bit(RhaiType type) => 1UL << (int)type;
}

/// <summary>Function calls: script functions, closures, built-ins, host modules, method-call binding of <c>this</c>.</summary>
internal static class Calls
{
    private static bool Record(RhaiException e, ScriptFunction fn, int line, int col)
    {
        e.calls.Add((fn.Name, line, col));
        return false;
    }

    // thisConst: `this` is a constant's value, which the function may read and not change.
    public static Dynamic Invoke(Runtime r, ScriptFunction fn, Dynamic[] locals, bool hasThis, ref Dynamic thisVal, int line, int col,
        CallerScope? caller = null, bool thisConst = false)
    {
        r.EnterCall(line, col);
        var frame = new Frame(locals, r) { HasThis = hasThis, This = thisVal, ThisIsConst = thisConst, Caller = caller };
        try
        {
            var v = fn.Body(frame);
            if (frame.Sig == Frame.SigReturn) v = frame.SigValue;
            if (hasThis) thisVal = frame.This;
            return v;
        }
        catch (RhaiException e) when (Record(e, fn, line, col))
        {
            throw;
        }
        finally
        {
            r.Depth--;
        }
    }

    private static Dynamic[] Locals(ScriptFunction fn, Dynamic[] args)
    {
        var locals = new Dynamic[Math.Max(fn.SlotCount, args.Length)];
        Array.Copy(args, locals, args.Length);
        return locals;
    }

    public static Dynamic CallFnPtr(Runtime r, FnPtr fp, Dynamic[] args, bool hasThis, ref Dynamic thisVal, int line, int col,
        CallerScope? caller = null, bool thisConst = false)
    {
        var all = fp.Curried.Length == 0 ? args : [.. fp.Curried, .. args];
        if (fp.Lambda is { } lam)
        {
            if (all.Length != lam.Arity) throw Ops.NotFound(lam.Name, line, col, all);
            var locals = Locals(lam, all);
            for (var i = 0; i < lam.Captures.Length; i++)
            {
                locals[lam.Captures[i].Inner] = Dynamic.FromShared(fp.Cells![i]);
            }
            return Invoke(r, lam, locals, hasThis, ref thisVal, line, col, caller, thisConst);
        }
        var sf = hasThis ? r.Ast.FindMethod(fp.Name, all.Length, thisVal.Type) : r.Ast.FindFunction(fp.Name, all.Length);
        if (sf is not null) return Invoke(r, sf, Locals(sf, all), hasThis, ref thisVal, line, col, caller, thisConst);
        // As Rhai's FnPtr::call_raw: a built-in is given `this` (a callback's item, the receiver
        // of `x.call(f)`) as its first argument, by reference, then the arguments.
        if (hasThis) all = [thisVal, .. all];
        var bf = Builtins.Find(fp.Name, all.Length);
        if (bf is not null)
        {
            r.StopIfCancelled(line, col);
            // A pointer called with arguments passes values, so a cutting built-in changes a
            // copy, never the caller's variable; `this` it changes. Whatever it made is held to
            // the size limits, as a direct call is.
            var cuts = all.Length > 0 && bf.Mutates(all[0]);
            if (cuts && thisConst) throw NonPure(fp.Name, line, col);
            if (cuts && !hasThis)
            {
                all = [.. all];
                all[0] = all[0].Clone();
            }
            var result = RunBuiltin(bf, r, all, cuts, line, col);
            if (hasThis) thisVal = all[0];
            if (r.SizeLimited)
            {
                r.CheckSize(result, line, col);
                if (cuts) r.CheckSize(all[0], line, col);
            }
            return result;
        }
        throw Ops.NotFound(fp.Name, line, col, all);
    }

    public static Dynamic CallFnPtr(Runtime r, FnPtr fp, Dynamic[] args, int line, int col, CallerScope? caller = null)
    {
        var none = Dynamic.Unit;
        return CallFnPtr(r, fp, args, false, ref none, line, col, caller);
    }

    // How many arguments a callback takes (closures passed to map/filter/... may take 0, 1 or 2);
    // Native for a built-in's name, which takes the item as `this` (CallFnPtr).
    public const int Native = -1;

    public static int Arity(Runtime r, FnPtr fp)
    {
        if (fp.Lambda is not null) return fp.Lambda.Arity - fp.Curried.Length;
        if (r.Ast.Functions.TryGetValue(fp.Name, out var list) && list.Count > 0)
        {
            return list.Min(x => x.Arity) - fp.Curried.Length;
        }
        return Native;
    }

    // Calls a callback on an array element, as Rhai's FnPtr::call_raw_with_extra_args does: `|| this`
    // (and a built-in) get the element itself as `this`, to change unless it is a constant's;
    // `|x|` and `|x, i|` get a copy, and no `this`.
    public static Dynamic Callback(Ctx c, FnPtr fp, ref Dynamic item, long index)
    {
        var arity = Arity(c.R, fp);
        return arity switch
        {
            Native or 0 => CallFnPtr(c.R, fp, [], true, ref item, c.Line, c.Col, thisConst: c.FirstIsConst),
            1 => CallFnPtr(c.R, fp, [item.Clone()], c.Line, c.Col),
            _ => CallFnPtr(c.R, fp, [item.Clone(), Dynamic.FromInt(index)], c.Line, c.Col),
        };
    }

    /// <summary>
    /// A callback over an object map's entry, as Rhai's map functions make one: the key, and the
    /// value as <c>this</c> (or as the second parameter).
    /// </summary>
    public static Dynamic EntryCallback(Ctx c, FnPtr fp, string key, ref Dynamic value)
    {
        var k = Dynamic.FromString(key);
        return Arity(c.R, fp) switch
        {
            // As Rhai: the key is always given, so a callback without parameters is no match.
            0 => throw new RhaiException(RhaiErrorKind.FunctionNotFound, $"Function not found: {fp.Name} ({Ops.StringSignature})", c.Line, c.Col),
            // The value as `this` (a built-in gets it first, then the key), to change unless it is a
            // constant's; with two parameters, a copy of it second, and no `this`.
            Native or 1 => CallFnPtr(c.R, fp, [k], true, ref value, c.Line, c.Col, thisConst: c.FirstIsConst),
            _ => CallFnPtr(c.R, fp, [k, value.Clone()], c.Line, c.Col),
        };
    }

    public static Dynamic CallModule(RhaiModule module, string moduleName, string name, Dynamic[] args, Runtime r, int line, int col)
    {
        if (module.ScriptAst is { } moduleAst && moduleAst.FindFunction(name, args.Length) is { } sf)
        {
            var saved = r.Ast;
            r.Ast = moduleAst;
            try
            {
                var none = Dynamic.Unit;
                return Invoke(r, sf, Locals(sf, args), false, ref none, line, col);
            }
            finally
            {
                r.Ast = saved;
            }
        }
        var fn = module.Find(name, args.Length)
            ?? throw Ops.NotFound($"{moduleName}::{name}", line, col, args);
        r.TickCall(line, col);
        try
        {
            var result = fn(args);
            r.CheckSize(result, line, col);
            return result;
        }
        catch (RhaiHostException e)
        {
            throw new RhaiException(RhaiErrorKind.Runtime, "Runtime error: " + e.Value, line, col) { ThrownValue = e.Value };
        }
        catch (RhaiException)
        {
            throw;
        }
        catch (Exception e) when (e is not (OutOfMemoryException or InsufficientExecutionStackException or OperationCanceledException))
        {
            throw new RhaiException(RhaiErrorKind.Runtime, "Runtime error: " + e.Message, line, col, e)
            {
                ThrownValue = Dynamic.FromString(e.Message),
            };
        }
    }

    private static Dynamic Deref(Dynamic v) => v.Type == RhaiType.Shared ? ((SharedCell)v.Obj!).Value : v;

    internal static bool Same(Dynamic a, Dynamic b) => a.Type == b.Type && a.Bits == b.Bits && ReferenceEquals(a.Obj, b.Obj);

    // ------------------------------------------------------------------ f(args)
    // callerNames: for `f!(…)`, `call!(…)` and `eval(…)`, the variables visible at the call, which
    // the callee may use; atTop: the call stands at the script's top level.
    public static Node MakeCall(string name, List<Node> args, Token t, Parser parser, VisibleNames? callerNames = null,
        bool atTop = false)
    {
        int line = t.Line, col = t.Column;
        var argc = args.Count;
        var argV = args.Select(a => a.V).ToArray();
        var argE = args.Select(a => a.E).ToArray();
        var argRoots = args.Select(a => a.RootLocalSlot).ToArray();
        var anyRoot = argRoots.Any(slot => slot >= 0);

        switch (name)
        {
            case "is_def_var" when argc == 1 && args[0].Kind == NodeKind.Literal && args[0].Value.Type == RhaiType.String:
                var varName = args[0].Value.AsString;
                if (parser.IsDeclared(varName)) return new Node(NodeKind.Literal, _ => Dynamic.True, line, col) { Value = Dynamic.True };
                // As a name is looked up: a `!` callee or an eval sees its callers' variables and
                // the host scope; a plain function sees neither.
                var inFn = parser.InFunction;
                return new Node(NodeKind.Call, f => Dynamic.FromBool(f.Caller is { } caller
                    ? caller.TryGet(varName, out _) || f.R.Scope.Contains(varName)
                    : !inFn && f.R.Scope.Contains(varName)), line, col);
            case "is_shared" when argc == 1:
                if (args[0].Kind == NodeKind.Local)
                {
                    var slot = args[0].Slot;
                    return new Node(NodeKind.Call, f => Dynamic.FromBool(f.L[slot].Type == RhaiType.Shared), line, col);
                }
                return new Node(NodeKind.Literal, _ => Dynamic.False, line, col) { Value = Dynamic.False };
        }

        // Rhai gives a built-in a plain variable (or `this`) by reference, so the built-in may
        // change it; a constant, a variable a closure captured, or any other expression (an index,
        // a property), it gives as a copy, and so every argument of a `name!(…)` call. A method
        // call (MakeMethodCall) is the way to change those.
        var first = argc > 0 ? args[0] : null;
        var firstByRef = callerNames is null && first is { Kind: NodeKind.Local, IsConst: false } or { Kind: NodeKind.Dynamic or NodeKind.This };
        Setter? firstSetter = null;
        ScriptFunction? cachedScript = null;
        Builtin? cachedBuiltin = null;
        var resolved = false;
        var ast = parser.Ast;
        return new Node(NodeKind.Call, f =>
        {
            var r = f.R;
            if (!resolved)
            {
                cachedScript = ast.FindFunction(name, argc);
                cachedBuiltin = cachedScript is null ? Builtins.Find(name, argc) : null;
                resolved = true;
            }
            var sf = cachedScript ?? (ReferenceEquals(r.Ast, ast) ? null : r.Ast.FindFunction(name, argc));
            if (sf is not null)
            {
                var locals = new Dynamic[sf.SlotCount < argc ? argc : sf.SlotCount];
                for (var i = 0; i < argc; i++) locals[i] = argV[i](f);
                var none = Dynamic.Unit;
                return Invoke(r, sf, locals, false, ref none, line, col, callerNames is null ? null : new CallerScope(f, callerNames, atTop));
            }
            var values = new Dynamic[argc];
            for (var i = 0; i < argc; i++) values[i] = argE[i](f);
            if (cachedBuiltin is { } bf)
            {
                r.TickCall(line, col);
                if (anyRoot) CopyCaptured(f, values, argRoots, 0);
                var cuts = argc > 0 && bf.Mutates(values[0]);
                // What a built-in may change of its first argument: the argument, when it cuts; its
                // elements, through the `this` of a callback. Only then does by reference or copy matter.
                var byRef = false;
                var firstConst = false;
                if (cuts || argc > 1 && !bf.BindsThis && HasCallback(values))
                {
                    byRef = firstByRef && first!.Kind switch
                    {
                        NodeKind.Local => f.L[first.Slot].Type != RhaiType.Shared,
                        NodeKind.Dynamic => r.PassesByReference(f, first.Name!),
                        _ => true,
                    };
                    // As Rhai: `this` goes by reference even when bound to a constant, and is refused any change.
                    if (byRef && first!.Kind == NodeKind.This && f.ThisIsConst)
                    {
                        if (cuts) throw NonPure(name, line, col);
                        firstConst = true;
                    }
                    if (!byRef) values[0] = values[0].Clone();
                }
                var before = argc > 0 ? values[0] : default;
                Dynamic result;
                if (callerNames is null)
                {
                    result = RunBuiltin(bf, r, values, cuts, line, col, firstConst);
                }
                else
                {
                    r.PendingCaller = new CallerScope(f, callerNames, atTop);
                    try
                    {
                        result = RunBuiltin(bf, r, values, cuts, line, col, firstConst);
                    }
                    finally
                    {
                        r.PendingCaller = null;
                    }
                }
                if (cuts && byRef && !Same(before, values[0]))
                {
                    firstSetter ??= Indexing.MakeSetter(first!);
                    firstSetter(f, values[0]);
                }
                if (r.SizeLimited)
                {
                    r.CheckSize(result, line, col);
                    if (cuts) r.CheckSize(values[0], line, col);
                }
                return result;
            }
            if (r.Engine.FindFunction(name, argc) is { } host)
            {
                return CallModule(host, "", name, CloneAll(values), r, line, col);
            }
            if (r.Scope.TryGetValue(name, out var ptr) && ptr.Type == RhaiType.FnPtr)
            {
                return CallFnPtr(r, ptr.AsFnPtr, CloneAll(values), line, col);
            }
            throw Ops.NotFound(name, line, col, values);
        }, line, col) { Name = name };
    }

    /// <summary>
    /// Runs a built-in: every call of one, as a function, a method or through a pointer, passes
    /// here. One given a function pointer calls back into the script while it works on its
    /// arguments, so it holds its arrays, maps and blobs meanwhile; a built-in that would change a
    /// held one is Rhai's data race. (A variable a closure captured is held by its cell instead,
    /// SharedCell, as Rhai does; this covers the ways to a value that do not go through one: the
    /// host's scope, an eval's or a caller's variables.)
    /// </summary>
    private static Dynamic RunBuiltin(Builtin bf, Runtime r, Dynamic[] values, bool cuts, int line, int col, bool firstConst = false)
    {
        if (cuts) r.EnsureNotHeld(values[0], line, col);
        if (bf.BindsThis || !HasCallback(values)) return bf.Fn(new Ctx(r, line, col, firstConst), values);
        var held = r.Hold(values);
        try
        {
            return bf.Fn(new Ctx(r, line, col, firstConst), values);
        }
        finally
        {
            r.Release(held);
        }
    }

    private static bool HasCallback(Dynamic[] values)
    {
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i].Type == RhaiType.FnPtr) return true;
        }
        return false;
    }

    // A built-in or method takes the variable at the root of its receiver (or first argument) by
    // reference; when a closure captured that variable, it is held for the call (SharedCell).
    private static SharedCell? Hold(Frame f, int rootSlot)
    {
        if (rootSlot < 0 || f.L[rootSlot].Type != RhaiType.Shared) return null;
        var cell = (SharedCell)f.L[rootSlot].Obj!;
        cell.Hold();
        return cell;
    }

    // The arguments of a built-in are read as they are, without a copy, except those read from a
    // variable a closure captured (perhaps a closure among the arguments, made after the variable
    // was read), which a callback could change meanwhile: those are copied, as Rhai passes a
    // captured variable's value. argRoots: the local slot each argument is read from, or -1.
    private static void CopyCaptured(Frame f, Dynamic[] values, int[] argRoots, int offset)
    {
        for (var i = 0; i < argRoots.Length; i++)
        {
            if (argRoots[i] >= 0 && f.L[argRoots[i]].Type == RhaiType.Shared) values[i + offset] = values[i + offset].Clone();
        }
    }

    private static RhaiException NonPure(string name, int line, int col) =>
        new(RhaiErrorKind.NonPureMethodCallOnConstant, $"Non-pure method '{name}' cannot be called on constant", line, col);

    private static Dynamic[] CloneAll(Dynamic[] values)
    {
        for (var i = 0; i < values.Length; i++) values[i] = values[i].Clone();
        return values;
    }

    // ------------------------------------------------------------------ x.f(args)
    public static Node MakeMethodCall(Node recv, string name, List<Node> args, bool safe, Token t, Parser parser)
    {
        int line = t.Line, col = t.Column;
        var argc = args.Count;
        var argV = args.Select(a => a.V).ToArray();
        var argE = args.Select(a => a.E).ToArray();
        var argRoots = args.Select(a => a.RootLocalSlot).ToArray();
        var anyRoot = argRoots.Any(slot => slot >= 0);
        var rootName = recv.Root is { Kind: NodeKind.Dynamic } dynamicRoot ? dynamicRoot.Name : null;
        var rootIsThis = recv.Root.Kind == NodeKind.This;
        var recvE = recv.E;
        var recvIsPlace = recv.IsPlace;
        var recvConst = recv.RootIsConst;
        Setter? recvSetter = null;
        var ast = parser.Ast;
        if (name == "is_shared" && argc == 0)
        {
            if (recv.Kind == NodeKind.Local)
            {
                var slot = recv.Slot;
                return new Node(NodeKind.Call, f => Dynamic.FromBool(f.L[slot].Type == RhaiType.Shared), line, col);
            }
        }
        var builtin = Builtins.Find(name, argc + 1);
        var rootSlot = recv.RootLocalSlot;
        return new Node(NodeKind.Call, f =>
        {
            var r = f.R;
            var self = recvE(f);
            if (safe && self.IsUnit) return Dynamic.Unit;
            self = Deref(self);
            var sf = ast.FindMethod(name, argc, self.Type) ?? (ReferenceEquals(r.Ast, ast) ? null : r.Ast.FindMethod(name, argc, self.Type));
            Dynamic result;
            var after = self;
            // A constant: the script's, the host's, a caller's, or `this` bound to one.
            bool IsConst() => recvConst || rootName is not null && r.IsConstant(f, rootName) || rootIsThis && f.ThisIsConst;
            if (sf is not null)
            {
                var locals = new Dynamic[sf.SlotCount < argc ? argc : sf.SlotCount];
                for (var i = 0; i < argc; i++) locals[i] = argV[i](f);
                var held = Hold(f, rootSlot);
                try
                {
                    result = Invoke(r, sf, locals, true, ref after, line, col, thisConst: IsConst());
                }
                finally
                {
                    held?.Release();
                }
                WriteBack(f, self, after);
                return result;
            }
            if (self.Type == RhaiType.Map && self.AsMap.TryGetValue(name, out var prop) && prop.Type == RhaiType.FnPtr)
            {
                var values = new Dynamic[argc];
                for (var i = 0; i < argc; i++) values[i] = argV[i](f);
                var held = Hold(f, rootSlot);
                try
                {
                    result = CallFnPtr(r, prop.AsFnPtr, values, true, ref after, line, col, thisConst: IsConst());
                }
                finally
                {
                    held?.Release();
                }
                WriteBack(f, self, after);
                return result;
            }
            if (builtin is not null)
            {
                r.TickCall(line, col);
                var values = new Dynamic[argc + 1];
                values[0] = self;
                for (var i = 0; i < argc; i++) values[i + 1] = argE[i](f);
                if (anyRoot) CopyCaptured(f, values, argRoots, 1);
                // A constant is refused before the call, so nothing of it changes; a callback gets
                // its elements to read.
                var cuts = builtin.Mutates(self);
                var isConst = (cuts || HasCallback(values)) && IsConst();
                if (isConst && cuts && !builtin.BindsThis) throw NonPure(name, line, col);
                var held = Hold(f, rootSlot);
                try
                {
                    result = RunBuiltin(builtin, r, values, cuts, line, col, firstConst: isConst);
                }
                finally
                {
                    held?.Release();
                }
                if (builtin.Mutates(self))
                {
                    WriteBack(f, self, values[0]);
                    if (r.SizeLimited) r.CheckSize(values[0], line, col);
                }
                if (r.SizeLimited) r.CheckSize(result, line, col);
                return result;
            }
            if (r.Engine.FindFunction(name, argc + 1) is { } host)
            {
                var values = new Dynamic[argc + 1];
                values[0] = self;
                for (var i = 0; i < argc; i++) values[i + 1] = argV[i](f);
                return CallModule(host, "", name, values, r, line, col);
            }
            var shown = new Dynamic[argc + 1];
            shown[0] = self;
            for (var i = 0; i < argc; i++) shown[i + 1] = argE[i](f);
            throw Ops.NotFound(name, line, col, shown);
        }, line, col) { Name = name };

        void WriteBack(Frame f, Dynamic before, Dynamic after)
        {
            // A constant's value was refused any change.
            if (!recvIsPlace || recvConst || Same(before, after)) return;
            recvSetter ??= Indexing.MakeSetter(recv);
            recvSetter(f, after);
        }
    }

    // ------------------------------------------------------------------ x.prop
    public static Node MakeProperty(Node target, string name, bool safe, Token t)
    {
        var be = target.E;
        int line = t.Line, col = t.Column;
        var getter = Builtins.Find(name, 1);
        return new Node(NodeKind.Property, f =>
        {
            var b = be(f);
            if (safe && b.IsUnit) return Dynamic.Unit;
            if (b.Type == RhaiType.Map)
            {
                if (b.AsMap.TryGetValue(name, out var v)) return v;
                if (f.R.Options.FailOnInvalidMapProperty)
                {
                    throw new RhaiException(RhaiErrorKind.PropertyNotFound, $"Property not found: {name}", line, col);
                }
                return Dynamic.Unit;
            }
            if (getter is not null && !getter.Mutates(b))
            {
                f.R.StopIfCancelled(line, col);
                return getter.Fn(new Ctx(f.R, line, col), [b]);
            }
            throw new RhaiException(RhaiErrorKind.DotExpr, $"Unknown property '{name}' - a getter is not registered for type '{b.TypeName}'", line, col);
        }, line, col) { Base = target, Name = name, Safe = safe };
    }
}
