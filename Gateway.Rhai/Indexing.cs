namespace Gateway.Rhai;

/// <summary>Indexing (<c>a[i]</c>), properties and assignment targets.</summary>
internal static class Indexing
{
    public static Node MakeIndex(Node target, Node idx, bool safe, Token t)
    {
        var be = target.E;
        var ie = idx.E;
        int line = idx.Line, col = idx.Col;
        return new Node(NodeKind.Index, f =>
        {
            var b = be(f);
            if (safe && b.IsUnit) return Dynamic.Unit;
            return Get(b, ie(f), f.R, line, col);
        }, t.Line, t.Column) { Base = target, Idx = idx, Safe = safe };
    }

    private static long Normalize(long i, int count) => i < 0 ? i + count : i;

    public static RhaiException ArrayBounds(long i, int count, int line, int col) =>
        new(RhaiErrorKind.ArrayBounds, count == 0
            ? $"Array index {i} out of bounds: array is empty"
            : $"Array index {i} out of bounds: only {count} elements in array", line, col);

    public static Dynamic Get(Dynamic b, Dynamic i, Runtime r, int line, int col)
    {
        switch (b.Type)
        {
            case RhaiType.Array when i.Type == RhaiType.Int:
                var list = b.AsArray;
                var k = Normalize(i.AsInt, list.Count);
                if (k < 0 || k >= list.Count) throw ArrayBounds(i.AsInt, list.Count, line, col);
                return list[(int)k];
            case RhaiType.Map when i.Type == RhaiType.String:
                if (b.AsMap.TryGetValue(i.AsString, out var v)) return v;
                if (r.Options.FailOnInvalidMapProperty)
                {
                    throw new RhaiException(RhaiErrorKind.PropertyNotFound, $"Property not found: {i}", line, col);
                }
                return Dynamic.Unit;
            case RhaiType.String when i.Type == RhaiType.Int:
                // A character index counts characters from the start when the string has any outside the BMP.
                r.StopIfCancelled(line, col);
                var s = b.AsString;
                var c = Strings.CharAt(s, i.AsInt);
                if (c is null)
                {
                    var n = Strings.Length(s);
                    throw new RhaiException(RhaiErrorKind.StringBounds, $"String index {i.AsInt} out of bounds: only {n} characters in string", line, col);
                }
                return Dynamic.FromChar(c.Value);
            case RhaiType.String when i.Type == RhaiType.Range:
                r.StopIfCancelled(line, col);
                var (start, len) = StringRange(b.AsString, i.AsRange);
                if (IsEmptyInclusiveSlice(b.AsString, i.AsRange, start)) len = 0;
                return Dynamic.FromString(Strings.Sub(b.AsString, start, len));
            case RhaiType.Blob when i.Type == RhaiType.Int:
                var bytes = b.AsBlob;
                var bk = Normalize(i.AsInt, bytes.Count);
                if (bk < 0 || bk >= bytes.Count) throw ArrayBounds(i.AsInt, bytes.Count, line, col);
                return Dynamic.FromInt(bytes[(int)bk]);
            case RhaiType.Int when i.Type == RhaiType.Int:
                var bit = BitIndex(i.AsInt, line, col);
                return Dynamic.FromBool(((b.AsInt >> bit) & 1) != 0);
            case RhaiType.Int when i.Type == RhaiType.Range:
                var (from, count) = BitRange(i.AsRange, line, col);
                var mask = count >= 64 ? -1L : (1L << count) - 1;
                return Dynamic.FromInt((b.AsInt >> from) & mask);
            case RhaiType.Array or RhaiType.Blob:
                throw new RhaiException(RhaiErrorKind.MismatchDataType, $"Data type incorrect: {RangeName(i)} (expecting i64)", line, col);
            case RhaiType.Map:
                throw new RhaiException(RhaiErrorKind.MismatchDataType, $"Data type incorrect: {i.TypeName} (expecting string)", line, col);
        }
        throw new RhaiException(RhaiErrorKind.IndexingType, $"Indexing type incorrect: {b.TypeName}", line, col);
    }

    private static string RangeName(Dynamic i) => i.Type == RhaiType.Range
        ? (i.AsRange.Inclusive ? "core::ops::range::RangeInclusive<i64>" : "core::ops::range::Range<i64>")
        : i.TypeName;

    /// <summary>A bit of an integer, from the least significant (0) or, when negative, from the most.</summary>
    internal static int BitIndex(long i, int line, int col)
    {
        var k = i < 0 ? i + 64 : i;
        if (k < 0 || k >= 64) throw new RhaiException(RhaiErrorKind.BitFieldBounds, $"Bit-field index {i} out of bounds: only 64 bits in bit-field", line, col);
        return (int)k;
    }

    // As Rhai's chaining.rs: the start a bit 0 … 63, the end a bit too (or 64 for an exclusive
    // range), an open end all the bits to the top, and an end before the start no bits.
    private static (int From, int Count) BitRange(RhaiRange range, int line, int col)
    {
        var from = range.Start;
        if (from is < 0 or >= 64) throw OutOfBits(from, line, col);
        var end = range.End == long.MaxValue ? (range.Inclusive ? 63 : 64) : range.End;
        if (end < 0 || end > (range.Inclusive ? 63 : 64)) throw OutOfBits(end, line, col);
        var exclusiveEnd = range.Inclusive ? end + 1 : end;
        return ((int)from, (int)Math.Max(0, exclusiveEnd - from));
    }

    private static RhaiException OutOfBits(long index, int line, int col) =>
        new(RhaiErrorKind.BitFieldBounds, $"Bit-field index {index} out of bounds: only 64 bits in bit-field", line, col);

    // Rhai reads an inclusive slice that ends where it starts as empty (`"hello"[1..=1]` and
    // `"hello"[1..=-4]` are ""), unless it is the whole string.
    private static bool IsEmptyInclusiveSlice(string s, RhaiRange range, long start)
    {
        if (!range.Inclusive || range.End == long.MaxValue) return false;
        var n = Strings.Length(s);
        var end = range.End < 0 ? n + range.End : range.End;
        return end == start && !(start == 0 && end >= n - 1);
    }

    // A range over a string: negative ends count from the end; open ends run to the end.
    public static (long Start, long Len) StringRange(string s, RhaiRange range)
    {
        var n = Strings.Length(s);
        var start = range.Start < 0 ? Math.Max(0, n + range.Start) : Math.Min(range.Start, n);
        long end;
        if (range.End == long.MaxValue) end = n;
        else
        {
            end = range.End < 0 ? n + range.End : range.End;
            if (range.Inclusive) end++;
        }
        end = Math.Min(end, n);
        return (start, Math.Max(0, end - start));
    }

    public static Setter MakeSetter(Node n)
    {
        int line = n.Line, col = n.Col;
        switch (n.Kind)
        {
            case NodeKind.Local:
                var slot = n.Slot;
                var name = n.Name!;
                if (n.IsConst)
                {
                    return (_, _) => throw new RhaiException(RhaiErrorKind.AssignmentToConstant, $"Cannot modify constant {name}", line, col);
                }
                return (f, v) =>
                {
                    ref var s = ref f.L[slot];
                    if (s.Type == RhaiType.Shared) ((SharedCell)s.Obj!).Write(v, line, col);
                    else s = v;
                };
            case NodeKind.Dynamic:
                var dname = n.Name!;
                if (n.IsConst)
                {
                    // Inside a fn: only the variables of a `f!()` caller can be assigned.
                    return (f, v) =>
                    {
                        if (f.Caller?.TrySet(dname, v, line, col) != true)
                        {
                            throw new RhaiException(RhaiErrorKind.VariableNotFound, $"Variable not found: {dname}", line, col);
                        }
                    };
                }
                return (f, v) =>
                {
                    if (f.Caller?.TrySet(dname, v, line, col) != true) f.R.SetDynamic(dname, v, line, col);
                };
            case NodeKind.This:
                return (f, v) =>
                {
                    if (!f.HasThis) throw new RhaiException(RhaiErrorKind.VariableNotFound, "'this' not bound", line, col);
                    if (f.ThisIsConst) throw ConstantError(n);
                    f.This = v;
                };
            case NodeKind.Index:
                return MakeIndexSetter(n);
            case NodeKind.Property:
                return MakePropertySetter(n);
        }
        return (_, _) => { };
    }

    /// <summary>
    /// What refuses to change the value at <paramref name="n"/> when the variable at its root is a
    /// constant: the script's (known when parsed), or one of the host's scope or a caller's (known
    /// when run); null when it never is one.
    /// </summary>
    public static Action<Frame>? ConstantGuard(Node n)
    {
        if (n.RootIsConst) return _ => throw ConstantError(n);
        if (n.Root.Kind == NodeKind.This)
        {
            return f =>
            {
                if (f.ThisIsConst) throw ConstantError(n);
            };
        }
        if (n.Root is not { Kind: NodeKind.Dynamic, Name: { } name }) return null;
        return f =>
        {
            if (f.R.IsConstant(f, name)) throw ConstantError(n);
        };
    }

    private static RhaiException ConstantError(Node n)
    {
        var root = n;
        while (root.Kind is NodeKind.Index or NodeKind.Property) root = root.Base!;
        return new RhaiException(RhaiErrorKind.AssignmentToConstant, $"Cannot modify constant {root.Name ?? "this"}", n.Line, n.Col);
    }

    private static Setter MakeIndexSetter(Node n)
    {
        var be = n.Base!.E;
        var ie = n.Idx!.E;
        var refuseConstant = ConstantGuard(n);
        Setter? parent = null;
        var baseNode = n.Base;
        int line = n.Idx.Line, col = n.Idx.Col;
        return (f, v) =>
        {
            refuseConstant?.Invoke(f);
            var b = be(f);
            var i = ie(f);
            switch (b.Type)
            {
                case RhaiType.Array when i.Type == RhaiType.Int:
                    f.R.EnsureNotHeld(b, line, col);
                    var list = b.AsArray;
                    var k = Normalize(i.AsInt, list.Count);
                    if (k < 0 || k >= list.Count) throw ArrayBounds(i.AsInt, list.Count, line, col);
                    list[(int)k] = v;
                    if (f.R.SizeLimited) f.R.CheckSize(b, line, col);
                    return;
                case RhaiType.Map when i.Type == RhaiType.String:
                    f.R.EnsureNotHeld(b, line, col);
                    b.AsMap[i.AsString] = v;
                    if (f.R.SizeLimited) f.R.CheckSize(b, line, col);
                    return;
                case RhaiType.Blob when i.Type == RhaiType.Int:
                    f.R.EnsureNotHeld(b, line, col);
                    var bytes = b.AsBlob;
                    var bk = Normalize(i.AsInt, bytes.Count);
                    if (bk < 0 || bk >= bytes.Count) throw ArrayBounds(i.AsInt, bytes.Count, line, col);
                    if (v.Type != RhaiType.Int) throw new RhaiException(RhaiErrorKind.MismatchDataType, $"Data type incorrect: {v.TypeName} (expecting i64)", line, col);
                    bytes[(int)bk] = (byte)v.AsInt;
                    return;
                case RhaiType.String when i.Type is RhaiType.Int or RhaiType.Range:
                    // Rebuilds the whole string.
                    f.R.StopIfCancelled(line, col);
                    var cps = Strings.ToCodePoints(b.AsString).ToList();
                    if (i.Type == RhaiType.Int)
                    {
                        var ck = Normalize(i.AsInt, cps.Count);
                        if (ck < 0 || ck >= cps.Count)
                        {
                            throw new RhaiException(RhaiErrorKind.StringBounds, $"String index {i.AsInt} out of bounds: only {cps.Count} characters in string", line, col);
                        }
                        if (v.Type != RhaiType.Char) throw new RhaiException(RhaiErrorKind.MismatchDataType, $"Data type incorrect: {v.TypeName} (expecting char)", line, col);
                        cps[(int)ck] = v.AsChar;
                    }
                    else
                    {
                        var (start, len) = StringRange(b.AsString, i.AsRange);
                        cps.RemoveRange((int)start, (int)len);
                        cps.InsertRange((int)start, Strings.ToCodePoints(v.ToString()));
                    }
                    parent ??= baseNode.IsPlace ? MakeSetter(baseNode) : (_, _) => { };
                    parent(f, Dynamic.FromString(Strings.FromCodePoints(cps)));
                    return;
                case RhaiType.Int when i.Type == RhaiType.Int:
                    var bit = BitIndex(i.AsInt, line, col);
                    if (v.Type != RhaiType.Bool) throw new RhaiException(RhaiErrorKind.MismatchDataType, $"Data type incorrect: {v.TypeName} (expecting bool)", line, col);
                    var x = v.AsBool ? b.AsInt | (1L << bit) : b.AsInt & ~(1L << bit);
                    parent ??= baseNode.IsPlace ? MakeSetter(baseNode) : (_, _) => { };
                    parent(f, Dynamic.FromInt(x));
                    return;
                case RhaiType.Int when i.Type == RhaiType.Range:
                    var (from, count) = BitRange(i.AsRange, line, col);
                    var mask = (count >= 64 ? -1L : (1L << count) - 1) << from;
                    var y = (b.AsInt & ~mask) | ((v.AsInt << from) & mask);
                    parent ??= baseNode.IsPlace ? MakeSetter(baseNode) : (_, _) => { };
                    parent(f, Dynamic.FromInt(y));
                    return;
            }
            Get(b, i, f.R, line, col);
            throw new RhaiException(RhaiErrorKind.IndexingType, $"Indexing type incorrect: {b.TypeName}", line, col);
        };
    }

    private static Setter MakePropertySetter(Node n)
    {
        var be = n.Base!.E;
        var name = n.Name!;
        var refuseConstant = ConstantGuard(n);
        int line = n.Line, col = n.Col;
        return (f, v) =>
        {
            refuseConstant?.Invoke(f);
            var b = be(f);
            if (b.Type == RhaiType.Map)
            {
                f.R.EnsureNotHeld(b, line, col);
                b.AsMap[name] = v;
                if (f.R.SizeLimited) f.R.CheckSize(b, line, col);
                return;
            }
            throw new RhaiException(RhaiErrorKind.DotExpr,
                $"No writable property '{name}' - a setter is not registered for type '{b.TypeName}' to handle '{v.TypeName}'", line, col);
        };
    }

    // `a op= b`: arrays, strings and maps grow in place instead of being rebuilt.
    public static Dynamic Compound(string op, Dynamic cur, Dynamic rhs, Runtime r, int line, int col)
    {
        if (op == "+")
        {
            if (cur.Type is RhaiType.Array or RhaiType.Map or RhaiType.Blob) r.EnsureNotHeld(cur, line, col);
            switch (cur.Type)
            {
                case RhaiType.Array:
                    if (rhs.Type == RhaiType.Array)
                    {
                        foreach (var item in rhs.AsArray) cur.AsArray.Add(item.Clone());
                    }
                    else
                    {
                        cur.AsArray.Add(rhs.Clone());
                    }
                    r.CheckSize(cur, line, col);
                    return cur;
                case RhaiType.Map when rhs.Type == RhaiType.Map:
                    foreach (var (k, v) in rhs.AsMap) cur.AsMap[k] = v.Clone();
                    r.CheckSize(cur, line, col);
                    return cur;
                case RhaiType.Blob when rhs.Type == RhaiType.Int:
                    cur.AsBlob.Add((byte)rhs.AsInt);
                    r.CheckSize(cur, line, col);
                    return cur;
                case RhaiType.Blob when rhs.Type is RhaiType.String or RhaiType.Char:
                    // As Rhai: the text's UTF-8 bytes, appended in place; the blob stays a blob.
                    cur.AsBlob.AddRange(System.Text.Encoding.UTF8.GetBytes(rhs.ToString()));
                    r.CheckSize(cur, line, col);
                    return cur;
                case RhaiType.String:
                    return StringBuffer.Append(r, cur, Strings.JoinedText(rhs), line, col);
            }
        }
        return Ops.Binary(op, cur, rhs, r, line, col);
    }
}
