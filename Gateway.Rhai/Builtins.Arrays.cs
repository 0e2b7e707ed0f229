namespace Gateway.Rhai;

internal static partial class Builtins
{
    private static List<Dynamic> Arr(Ctx c, string name, Dynamic[] a) =>
        a[0].Type == RhaiType.Array ? a[0].AsArray : throw NoMatch(c, name, a);

    private static Dynamic PadArray(Ctx c, Dynamic[] a)
    {
        var list = a[0].AsArray;
        var len = Int(c, "pad", a, 1);
        CheckLen(c, len, array: true);
        while (list.Count < len)
        {
            c.R.Tick(c.Line, c.Col);
            list.Add(a[2].Clone());
        }
        return Dynamic.Unit;
    }

    // `retain` and `drain` by a callback: the array keeps the items on one side of the callback's
    // answer, in order, and the others are returned.
    private static Dynamic SplitOff(Ctx c, List<Dynamic> list, FnPtr fp, bool keepMatching)
    {
        var removed = new List<Dynamic>();
        var kept = new List<Dynamic>();
        for (var i = 0; i < list.Count; i++)
        {
            var matches = Yes(CallbackOn(c, fp, list, i));
            (matches == keepMatching ? kept : removed).Add(list[i]);
        }
        list.Clear();
        list.AddRange(kept);
        return Dynamic.FromArray(removed);
    }

    /// <summary>
    /// A start and length within <paramref name="count"/> items, as Rhai's <c>calc_offset_len</c>
    /// works them out: a negative start counts from the end, a start past the end is the end, a
    /// length ≤ 0 is none (at the start: <c>splice</c> inserts there).
    /// </summary>
    private static (int Start, int Len) Extent(int count, long start, long len)
    {
        if (start < 0) start = Math.Max(0, count + start);
        else if (start >= count) return (count, 0);
        return ((int)start, len <= 0 ? 0 : (int)Math.Min(len, count - start));
    }

    /// <summary>
    /// A range as Rhai's array and blob functions take one: its start at least 0 (a range never
    /// counts from the end), its end at least its start, then as a start and length.
    /// </summary>
    private static (int Start, int Len) Extent(int count, RhaiRange r)
    {
        var (start, len) = Asked(r);
        return Extent(count, start, len);
    }

    /// <summary>
    /// A range as a start and length, as Rhai's array, blob, <c>sub_string</c> and <c>crop</c>
    /// functions work one out: bounds below 0 are 0, an end before the start is the start (so an
    /// inclusive range gives at least one item).
    /// </summary>
    private static (long Start, long Len) Asked(RhaiRange r)
    {
        var start = Math.Max(r.Start, 0);
        var end = r.Inclusive ? Math.Min(Math.Max(r.End, start), long.MaxValue - 1) + 1 : Math.Max(r.End, start);
        return (start, end - start);
    }

    /// <summary>
    /// The start and length asked for at argument <paramref name="i"/>: a plain range alone, or a
    /// start and a length, each then followed by <paramref name="rest"/> arguments more (a value
    /// to write or splice in). Any other shape is no function of Rhai's.
    /// </summary>
    private static (long Start, long Len) Asked(Ctx c, string name, Dynamic[] a, int i, int rest = 0)
    {
        if (a.Length == i + 1 + rest && a[i].Type == RhaiType.Range && a[i].AsRange.Step == 1) return Asked(a[i].AsRange);
        if (a.Length == i + 2 + rest) return (Int(c, name, a, i), Int(c, name, a, i + 1));
        throw NoMatch(c, name, a);
    }

    /// <summary>The items asked for at argument <paramref name="i"/> (see <see cref="Asked(Ctx, string, Dynamic[], int, int)"/>).</summary>
    private static (int Start, int Len) Extent(Ctx c, string name, Dynamic[] a, int count, int i, int rest = 0)
    {
        var (start, len) = Asked(c, name, a, i, rest);
        return Extent(count, start, len);
    }

    /// <summary>
    /// An array's <c>split(index)</c>, as Rhai's <c>split_at</c>: the items from the index on are
    /// cut off and returned (from the end when negative; all of them at 0 or before the start).
    /// </summary>
    private static Dynamic SplitAt(Ctx c, Dynamic[] a)
    {
        var index = Int(c, "split", a, 1);
        return a[0].Type == RhaiType.Blob ? Dynamic.FromBlob(Tail(a[0].AsBlob, index)) : Dynamic.FromArray(Tail(a[0].AsArray, index));
    }

    private static List<T> Tail<T>(List<T> list, long index)
    {
        var (s, l) = Extent(list.Count, index, long.MaxValue);
        var cut = list.GetRange(s, l);
        list.RemoveRange(s, l);
        return cut;
    }

    /// <summary>
    /// Rhai's <c>map</c>, <c>filter</c>, <c>drain</c> and <c>retain</c> of an object map by a
    /// callback given each key (and the value as <c>this</c>, or as a second parameter). map and
    /// filter make a new map; drain takes out the entries the filter says yes to and returns them,
    /// retain keeps those and returns the rest. An error in the filter ends the run, the entries
    /// not yet seen kept, as in Rhai.
    /// </summary>
    private static Dynamic ByEntry(Ctx c, string name, Dynamic[] a)
    {
        var map = a[0].AsMap;
        var fp = Fp(c, name, a, 1);
        var result = new RhaiMap();
        if (name is "map" or "filter")
        {
            // The callback sees the entry itself, as in Rhai: a change to `this` stays in the map.
            foreach (var (key, item) in map.ToList())
            {
                var value = item;
                var answer = Calls.EntryCallback(c, fp, key, ref value);
                // Written back only when the callback changed it, so a walk of this map that holds
                // it (a callback's own filter of it) is not disturbed.
                if (!Calls.Same(item, value)) map[key] = value;
                if (name == "map") result[key] = answer;
                else if (Yes(answer)) result[key] = value.Clone();
            }
            return Dynamic.FromMap(result);
        }
        var entries = map.ToList();
        map.Clear();
        var seen = 0;
        try
        {
            foreach (var (key, item) in entries)
            {
                var value = item;
                seen++; // as Rhai: an entry whose filter fails is in neither map
                var yes = Yes(Calls.EntryCallback(c, fp, key, ref value));
                if (yes == (name == "retain")) map[key] = value;
                else result[key] = value;
            }
        }
        finally
        {
            foreach (var (key, item) in entries.Skip(seen)) map[key] = item;
        }
        return Dynamic.FromMap(result);
    }

    /// <summary><c>order</c>, <c>order_by</c>, <c>order_desc</c>: a sorted copy, the array left as it is.</summary>
    private static Dynamic Ordered(Ctx c, string name, string sort, Dynamic[] a)
    {
        if (a.Length == 2) Fp(c, name, a, 1);
        var copy = Dynamic.FromArray(Arr(c, name, a).Select(x => x.Clone()).ToList());
        Find(sort, a.Length)!.Fn(c, [copy, .. a[1..]]);
        return copy;
    }

    private static void RegisterArrays(Action<string, int, BuiltinFn, bool> reg)
    {
        void Reg(string n, int ar, BuiltinFn fn, bool m = false) => reg(n, ar, fn, m);

        Reg("push", 2, (c, a) =>
        {
            if (a[0].Type == RhaiType.Blob) return AppendToBlob(c, "push", a);
            Arr(c, "push", a).Add(a[1].Clone());
            return Dynamic.Unit;
        }, true);
        Reg("append", 2, (c, a) =>
        {
            if (a[0].Type == RhaiType.String)
            {
                a[0] = StringBuffer.Append(c.R, a[0], Strings.JoinedText(a[1]), c.Line, c.Col);
                return Dynamic.Unit;
            }
            if (a[0].Type == RhaiType.Blob) return AppendToBlob(c, "append", a);
            var list = Arr(c, "append", a);
            // As Rhai: an array's append takes another array (push takes one item). Copied
            // first: an array may be appended to itself.
            if (a[1].Type != RhaiType.Array) throw NoMatch(c, "append", a);
            list.AddRange([.. a[1].AsArray.Select(x => x.Clone())]);
            return Dynamic.Unit;
        }, true);
        Reg("insert", 3, (c, a) =>
        {
            if (a[0].Type == RhaiType.Blob)
            {
                // As Rhai: the low byte of an int; past the end it is pushed.
                var blob = a[0].AsBlob;
                var at = Int(c, "insert", a, 1);
                if (at < 0) at = Math.Max(0, at + blob.Count);
                blob.Insert((int)Math.Min(at, blob.Count), (byte)(Int(c, "insert", a, 2) & 0xff));
                return Dynamic.Unit;
            }
            var list = Arr(c, "insert", a);
            var i = Int(c, "insert", a, 1);
            if (i < 0) i = Math.Max(0, i + list.Count);
            list.Insert((int)Math.Min(i, list.Count), a[2].Clone());
            return Dynamic.Unit;
        }, true);
        Reg("pop", 1, (c, a) =>
        {
            // As Rhai: a blob's byte as an int, 0 from an empty one; a string's last character.
            if (a[0].Type == RhaiType.Blob) return TakeByte(a[0].AsBlob, a[0].AsBlob.Count - 1);
            if (a[0].Type == RhaiType.String)
            {
                var cps = Strings.ToCodePoints(a[0].AsString);
                if (cps.Length == 0) return Dynamic.Unit;
                a[0] = Dynamic.FromString(Strings.FromCodePoints(cps[..^1]));
                return Dynamic.FromChar(cps[^1]);
            }
            var list = Arr(c, "pop", a);
            if (list.Count == 0) return Dynamic.Unit;
            var v = list[^1];
            list.RemoveAt(list.Count - 1);
            return v;
        }, true);
        Reg("shift", 1, (c, a) =>
        {
            if (a[0].Type == RhaiType.Blob) return TakeByte(a[0].AsBlob, 0);
            var list = Arr(c, "shift", a);
            if (list.Count == 0) return Dynamic.Unit;
            var v = list[0];
            list.RemoveAt(0);
            return v;
        }, true);
        // A copy of a range, a start and length, or all from a start, of an array or a blob.
        BuiltinFn extract = (c, a) =>
        {
            var blob = a[0].Type == RhaiType.Blob;
            var count = blob ? a[0].AsBlob.Count : Arr(c, "extract", a).Count;
            var (s, l) = a.Length == 3 || a[1].Type == RhaiType.Range ? Extent(c, "extract", a, count, 1)
                : Extent(count, Int(c, "extract", a, 1), long.MaxValue);
            return blob ? Dynamic.FromBlob(a[0].AsBlob.GetRange(s, l)) : Dynamic.FromArray(a[0].AsArray.GetRange(s, l).Select(x => x.Clone()).ToList());
        };
        // Rhai does not mark extract or order pure (they take the array by reference), so a
        // constant is refused, though neither changes it.
        Reg("extract", 2, extract, true);
        Reg("extract", 3, extract, true);
        Reg("reverse", 1, (c, a) =>
        {
            if (a[0].Type == RhaiType.Blob) a[0].AsBlob.Reverse();
            else Arr(c, "reverse", a).Reverse();
            return Dynamic.Unit;
        }, true);
        Reg("map", 2, (c, a) =>
        {
            if (a[0].Type == RhaiType.Map) return ByEntry(c, "map", a);
            var list = Arr(c, "map", a);
            var fp = Fp(c, "map", a, 1);
            var result = new List<Dynamic>(list.Count);
            for (var i = 0; i < list.Count; i++)
            {
                result.Add(CallbackOn(c, fp, list, i));
            }
            return Dynamic.FromArray(result);
        });
        Reg("filter", 2, (c, a) =>
        {
            if (a[0].Type == RhaiType.Map) return ByEntry(c, "filter", a);
            var list = Arr(c, "filter", a);
            var fp = Fp(c, "filter", a, 1);
            var result = new List<Dynamic>();
            for (var i = 0; i < list.Count; i++)
            {
                if (Yes(CallbackOn(c, fp, list, i))) result.Add(list[i].Clone());
            }
            return Dynamic.FromArray(result);
        });
        Reg("for_each", 2, (c, a) =>
        {
            var list = Arr(c, "for_each", a);
            var fp = Fp(c, "for_each", a, 1);
            for (var i = 0; i < list.Count; i++)
            {
                var item = list[i];
                // As Rhai: for_each binds the element to `this` and passes the index to a
                // one-parameter callback, nothing to any other (so one of two parameters fails).
                Dynamic[] args = Calls.Arity(c.R, fp) == 1 ? [Dynamic.FromInt(i)] : [];
                Calls.CallFnPtr(c.R, fp, args, true, ref item, c.Line, c.Col, thisConst: c.FirstIsConst);
                list[i] = item;
            }
            return Dynamic.Unit;
        }, true);
        Reg("some", 2, (c, a) =>
        {
            var list = Arr(c, "some", a);
            var fp = Fp(c, "some", a, 1);
            for (var i = 0; i < list.Count; i++)
            {
                if (Yes(CallbackOn(c, fp, list, i))) return Dynamic.True;
            }
            return Dynamic.False;
        });
        Reg("all", 2, (c, a) =>
        {
            var list = Arr(c, "all", a);
            var fp = Fp(c, "all", a, 1);
            for (var i = 0; i < list.Count; i++)
            {
                if (!Yes(CallbackOn(c, fp, list, i))) return Dynamic.False;
            }
            return Dynamic.True;
        });
        // With a start (as Rhai: negative counts from the end, before the first is the first).
        Reg("find", 2, (c, a) => Find(c, "find", a, 0, mapping: false));
        Reg("find", 3, (c, a) => Find(c, "find", a, Int(c, "find", a, 2), mapping: false));
        Reg("find_map", 2, (c, a) => Find(c, "find_map", a, 0, mapping: true));
        Reg("find_map", 3, (c, a) => Find(c, "find_map", a, Int(c, "find_map", a, 2), mapping: true));
        // As Rhai's call_raw_with_extra_args: |acc| gets the element as this, |acc, x| it as an
        // argument, |acc, x, i| its index too (reduce_rev's counts from the start as well).
        Dynamic Reduce(Ctx c, string name, Dynamic[] a, bool reverse)
        {
            var list = Arr(c, name, a);
            var fp = Fp(c, name, a, 1);
            var acc = a.Length > 2 ? a[2].Clone() : Dynamic.Unit;
            var arity = Calls.Arity(c.R, fp);
            for (var n = 0; n < list.Count; n++)
            {
                var i = reverse ? list.Count - 1 - n : n;
                if (arity == 1)
                {
                    // As Rhai: `|acc| this` is the element itself, and what the callback does to it stays.
                    var item = list[i];
                    acc = Calls.CallFnPtr(c.R, fp, [acc], true, ref item, c.Line, c.Col, thisConst: c.FirstIsConst);
                    list[i] = item;
                }
                else
                {
                    acc = arity >= 3
                        ? Calls.CallFnPtr(c.R, fp, [acc, list[i].Clone(), Dynamic.FromInt(i)], c.Line, c.Col)
                        : Calls.CallFnPtr(c.R, fp, [acc, list[i].Clone()], c.Line, c.Col);
                }
            }
            return acc;
        }
        Reg("reduce", 2, (c, a) => Reduce(c, "reduce", a, reverse: false));
        Reg("reduce", 3, (c, a) => Reduce(c, "reduce", a, reverse: false));
        Reg("reduce_rev", 2, (c, a) => Reduce(c, "reduce_rev", a, reverse: true));
        Reg("reduce_rev", 3, (c, a) => Reduce(c, "reduce_rev", a, reverse: true));
        Reg("sort", 1, (c, a) => SortByOwnOrder(c, "sort", a, descending: false), true);
        Reg("sort_desc", 1, (c, a) => SortByOwnOrder(c, "sort_desc", a, descending: true), true);
        Reg("sort", 2, (c, a) =>
        {
            var list = Arr(c, "sort", a);
            var fp = Fp(c, "sort", a, 1);
            Sorted(list, (x, y) =>
            {
                // As Rhai: an int orders, a bool says "before" (true) or "after"; anything else, or a
                // script error in the comparer, leaves the pair to the order of their types. Limits and
                // a stop still end the run.
                var r = Compare(c, fp, x, y);
                return r.Type switch
                {
                    RhaiType.Int => Math.Sign(r.AsInt),
                    RhaiType.Bool => r.AsBool ? -1 : 1,
                    _ => ((int)x.Type).CompareTo((int)y.Type),
                };
            });
            return Dynamic.Unit;
        }, true);
        // By a callback, or by a range (or a start and length): drain takes those items out and
        // returns them; retain keeps them and returns the rest.
        Reg("retain", 2, (c, a) => a[0].Type == RhaiType.Map ? ByEntry(c, "retain", a)
            : a[1].Type == RhaiType.Range ? Cut(c, "retain", a, keep: true)
            : SplitOff(c, Arr(c, "retain", a), Fp(c, "retain", a, 1), keepMatching: true), true);
        Reg("drain", 2, (c, a) => a[0].Type == RhaiType.Map ? ByEntry(c, "drain", a)
            : a[1].Type == RhaiType.Range ? Cut(c, "drain", a, keep: false)
            : SplitOff(c, Arr(c, "drain", a), Fp(c, "drain", a, 1), keepMatching: false), true);
        Reg("retain", 3, (c, a) => Cut(c, "retain", a, keep: true), true);
        Reg("drain", 3, (c, a) => Cut(c, "drain", a, keep: false), true);
        Reg("sort_by", 2, (c, a) => Find("sort", 2)!.Fn(c, a), true);
        Reg("order", 1, (c, a) => Ordered(c, "order", "sort", a), true);
        Reg("order", 2, (c, a) => Ordered(c, "order", "sort", a), true);
        Reg("order_by", 2, (c, a) => Ordered(c, "order_by", "sort", a), true);
        Reg("order_desc", 1, (c, a) => Ordered(c, "order_desc", "sort_desc", a), true);
        Reg("dedup", 1, (c, a) =>
        {
            var list = Arr(c, "dedup", a);
            for (var i = list.Count - 1; i > 0; i--)
            {
                if (Ops.Equal(list[i], list[i - 1])) list.RemoveAt(i);
            }
            return Dynamic.Unit;
        }, true);
        Reg("dedup", 2, (c, a) =>
        {
            // As Rhai: the comparer gets the element kept before and the one after it; true removes
            // the latter. An answer that is not true, or a script error in it, keeps it.
            var list = Arr(c, "dedup", a);
            var fp = Fp(c, "dedup", a, 1);
            var kept = new List<Dynamic>(list.Count);
            foreach (var item in list)
            {
                if (kept.Count > 0 && Yes(Compare(c, fp, kept[^1].Clone(), item.Clone()))) continue;
                kept.Add(item);
            }
            list.Clear();
            list.AddRange(kept);
            return Dynamic.Unit;
        }, true);
        BuiltinFn splice = (c, a) =>
        {
            var replace = a[^1];
            if (a[0].Type == RhaiType.Blob)
            {
                var blob = a[0].AsBlob;
                List<byte> bytes = replace.Type == RhaiType.Blob ? [.. replace.AsBlob] : throw NoMatch(c, "splice", a);
                var (bs, bl) = Extent(c, "splice", a, blob.Count, 1, rest: 1);
                // As Rhai: with nothing to replace, a blob's splice appends (an array's inserts at the start).
                if (bl == 0) blob.AddRange(bytes);
                else
                {
                    blob.RemoveRange(bs, bl);
                    blob.InsertRange(bs, bytes);
                }
                return Dynamic.Unit;
            }
            var list = Arr(c, "splice", a);
            var (s, l) = Extent(c, "splice", a, list.Count, 1, rest: 1);
            // The items are copied before the list changes: the array may be spliced into itself.
            List<Dynamic> items = replace.Type == RhaiType.Array ? [.. replace.AsArray.Select(x => x.Clone())] : throw NoMatch(c, "splice", a);
            list.RemoveRange(s, l);
            list.InsertRange(s, items);
            return Dynamic.Unit;
        };
        Reg("splice", 3, (c, a) => a[1].Type == RhaiType.Range ? splice(c, a) : throw NoMatch(c, "splice", a), true);
        Reg("splice", 4, splice, true);
        Reg("chop", 2, (c, a) =>
        {
            var keep = Math.Max(0, Int(c, "chop", a, 1));
            if (a[0].Type == RhaiType.Blob) Chop(a[0].AsBlob, keep);
            else Chop(Arr(c, "chop", a), keep);
            return Dynamic.Unit;
        }, true);
        Reg("set", 3, (c, a) =>
        {
            if (a[0].Type == RhaiType.Map)
            {
                a[0].AsMap[Str(c, "set", a, 1)] = a[2].Clone();
                return Dynamic.Unit;
            }
            if (a[0].Type == RhaiType.String)
            {
                // As Rhai: a char at an index (from the end when negative); past either end, no change.
                var ch = a[2].Type == RhaiType.Char ? a[2].AsChar : throw NoMatch(c, "set", a);
                var cps = Strings.ToCodePoints(a[0].AsString);
                var index = Int(c, "set", a, 1);
                var at = index >= 0 ? index : cps.Length + index;
                if (at >= 0 && at < cps.Length)
                {
                    cps[at] = ch;
                    a[0] = Dynamic.FromString(Strings.FromCodePoints(cps));
                }
                return Dynamic.Unit;
            }
            if (a[0].Type == RhaiType.Blob)
            {
                // As Rhai: the byte's low 8 bits; a negative index counts from the end (before the start: the first).
                var blob = a[0].AsBlob;
                var (at, _) = Extent(blob.Count, Int(c, "set", a, 1), 0);
                var value = Int(c, "set", a, 2);
                if (at < blob.Count) blob[at] = (byte)(value & 0xff);
                return Dynamic.Unit;
            }
            // As Rhai (calc_offset_len): a negative index counts from the end, before the start is the first.
            var list = Arr(c, "set", a);
            var (i, _) = Extent(list.Count, Int(c, "set", a, 1), 0);
            if (i < list.Count) list[i] = a[2].Clone();
            return Dynamic.Unit;
        }, true);
        Reg("zip", 3, (c, a) =>
        {
            var list = Arr(c, "zip", a);
            var other = a[1].Type == RhaiType.Array ? a[1].AsArray : throw NoMatch(c, "zip", a);
            var fp = Fp(c, "zip", a, 2);
            var result = new List<Dynamic>();
            var withIndex = Calls.Arity(c.R, fp) >= 3; // as Rhai: |x, y, i| gets the index too
            for (var i = 0; i < Math.Min(list.Count, other.Count); i++)
            {
                result.Add(withIndex
                    ? Calls.CallFnPtr(c.R, fp, [list[i].Clone(), other[i].Clone(), Dynamic.FromInt(i)], c.Line, c.Col)
                    : Calls.CallFnPtr(c.R, fp, [list[i].Clone(), other[i].Clone()], c.Line, c.Col));
            }
            return Dynamic.FromArray(result);
        });
    }

    private static void RegisterMaps(Action<string, int, BuiltinFn, bool> reg)
    {
        void Reg(string n, int ar, BuiltinFn fn, bool m = false) => reg(n, ar, fn, m);
        RhaiMap Map(Ctx c, string name, Dynamic[] a) => a[0].Type == RhaiType.Map ? a[0].AsMap : throw NoMatch(c, name, a);

        Reg("keys", 1, (c, a) => Dynamic.FromArray(Map(c, "keys", a).Keys.Select(Dynamic.FromString).ToList()));
        Reg("values", 1, (c, a) => Dynamic.FromArray(Map(c, "values", a).Values.Select(v => v.Clone()).ToList()));
        Reg("mixin", 2, (c, a) =>
        {
            var map = Map(c, "mixin", a);
            if (a[1].Type != RhaiType.Map) throw NoMatch(c, "mixin", a);
            foreach (var (k, v) in a[1].AsMap.ToList()) map[k] = v.Clone(); // a map may be mixed into itself
            return Dynamic.Unit;
        }, true);
        Reg("fill_with", 2, (c, a) =>
        {
            var map = Map(c, "fill_with", a);
            if (a[1].Type != RhaiType.Map) throw NoMatch(c, "fill_with", a);
            foreach (var (k, v) in a[1].AsMap) map.TryAdd(k, v.Clone());
            return Dynamic.Unit;
        }, true);
    }

    // As Rhai: the elements all of one type, and one with an order of its own.
    private static Dynamic SortByOwnOrder(Ctx c, string name, Dynamic[] a, bool descending)
    {
        var list = Arr(c, name, a);
        if (list.Count <= 1) return Dynamic.Unit;
        var type = list[0].Type;
        if (list.Any(x => x.Type != type))
            throw c.Error(RhaiErrorKind.FunctionNotFound, "Function not found: elements of different types cannot be sorted");
        if (type == RhaiType.Unit) return Dynamic.Unit;
        if (type is not (RhaiType.Int or RhaiType.Char or RhaiType.Float or RhaiType.String or RhaiType.Bool))
            throw c.Error(RhaiErrorKind.FunctionNotFound, $"Function not found: elements of {list[0].TypeName} cannot be sorted");
        // Floats exactly (Rust's partial_cmp, NaN as equal), not with the tolerance of Rhai's < and >.
        Comparison<Dynamic> order = type == RhaiType.Float
            ? (x, y) => x.AsFloat < y.AsFloat ? -1 : x.AsFloat > y.AsFloat ? 1 : 0
            : (x, y) => Ops.Compare(x, y) ?? 0;
        Sorted(list, descending ? (x, y) => order(y, x) : order);
        return Dynamic.Unit;
    }

    /// <summary>
    /// push and append on a blob, as Rhai's blob_basic: an int's low byte, another blob's bytes, a
    /// string's or a char's UTF-8 bytes.
    /// </summary>
    private static Dynamic AppendToBlob(Ctx c, string name, Dynamic[] a)
    {
        var blob = a[0].AsBlob;
        switch (a[1].Type)
        {
            case RhaiType.Int:
                blob.Add((byte)(a[1].AsInt & 0xff));
                break;
            case RhaiType.Blob when name == "append":
                blob.AddRange(a[1].AsBlob);
                break;
            case RhaiType.String or RhaiType.Char when name == "append":
                blob.AddRange(System.Text.Encoding.UTF8.GetBytes(a[1].ToString()));
                break;
            default:
                throw NoMatch(c, name, a);
        }
        return Dynamic.Unit;
    }

    private static Dynamic TakeByte(List<byte> blob, int at)
    {
        if (blob.Count == 0) return Dynamic.FromInt(0);
        var value = blob[at];
        blob.RemoveAt(at);
        return Dynamic.FromInt(value);
    }

    /// <summary>
    /// <c>drain</c> (<paramref name="keep"/> false) or <c>retain</c> by a range or a start and
    /// length: the array keeps, or loses, those items; the others are returned.
    /// </summary>
    private static Dynamic Cut(Ctx c, string name, Dynamic[] a, bool keep)
    {
        if (a[0].Type == RhaiType.Blob)
        {
            var blob = a[0].AsBlob;
            var (bs, bl) = Extent(c, name, a, blob.Count, 1);
            if (bl > 0) return Dynamic.FromBlob(Cut(blob, bs, bl, keep));
            // As Rhai: a blob's retain that asks for bytes past its end gives up all of them.
            if (!keep || Asked(c, name, a, 1).Len <= 0) return Dynamic.FromBlob([]);
            var all = new List<byte>(blob);
            blob.Clear();
            return Dynamic.FromBlob(all);
        }
        var list = Arr(c, name, a);
        var (s, l) = Extent(c, name, a, list.Count, 1);
        return Dynamic.FromArray(l == 0 ? [] : Cut(list, s, l, keep)); // as Rhai: nothing in the range, nothing moves
    }

    private static List<T> Cut<T>(List<T> list, int s, int l, bool keep)
    {
        var inside = list.GetRange(s, l);
        if (!keep)
        {
            list.RemoveRange(s, l);
            return inside;
        }
        var outside = list.GetRange(0, s);
        outside.AddRange(list.GetRange(s + l, list.Count - s - l));
        list.Clear();
        list.AddRange(inside);
        return outside;
    }

    /// <summary>Keeps the last <paramref name="keep"/> items.</summary>
    private static void Chop<T>(List<T> list, long keep)
    {
        if (list.Count > keep) list.RemoveRange(0, list.Count - (int)keep);
    }

    /// <summary>A filter's answer as Rhai reads one (<c>as_bool().unwrap_or(false)</c>): only the bool true is "yes".</summary>
    private static bool Yes(Dynamic answer) => answer.Type == RhaiType.Bool && answer.AsBool;

    private static Dynamic Find(Ctx c, string name, Dynamic[] a, long start, bool mapping)
    {
        var list = Arr(c, name, a);
        var fp = Fp(c, name, a, 1);
        for (var i = Extent(list.Count, start, long.MaxValue).Start; i < list.Count; i++)
        {
            var answer = CallbackOn(c, fp, list, i);
            if (mapping ? !answer.IsUnit : Yes(answer))
                return mapping ? answer : list[i].Clone();
        }
        return Dynamic.Unit;
    }

    /// <summary>
    /// A comparer's answer for a pair, as Rhai's sort and dedup take one: a script error in the
    /// comparer is no answer (unit); limits and a stop still end the run.
    /// </summary>
    private static Dynamic Compare(Ctx c, FnPtr comparer, Dynamic first, Dynamic second)
    {
        try
        {
            // As Rhai, the comparer gets copies.
            return Calls.CallFnPtr(c.R, comparer, [first.Clone(), second.Clone()], c.Line, c.Col);
        }
        catch (Exception e) when (e is RhaiExit || e is RhaiException { Category: RhaiErrorCategory.Script })
        {
            // As Rhai, whose sort and dedup drop whatever the comparer ends with, an exit too.
            return Dynamic.Unit;
        }
    }

    /// <summary>
    /// A callback on <c>list[i]</c>, as Rhai's call_raw_with_extra_args makes one (see
    /// <see cref="Calls.Callback"/>): what a <c>||</c> callback does to its <c>this</c> stays in the
    /// list, since Rhai hands it the element itself.
    /// </summary>
    private static Dynamic CallbackOn(Ctx c, FnPtr fp, List<Dynamic> list, int i)
    {
        var item = list[i];
        var answer = Calls.Callback(c, fp, ref item, i);
        list[i] = item;
        return answer;
    }

    /// <summary>
    /// Sorts <paramref name="list"/> in place, stably (a merge sort). A script's comparer need not
    /// be consistent (<c>|x, y| x &lt;= y</c> says "before" for equal items both ways, as Rhai's docs
    /// suggest): this sort only ever reads inside the list, so such a comparer gives some order of
    /// the same items, never an error of the sort's own; an error the comparer throws comes out
    /// as itself.
    /// </summary>
    private static void Sorted(List<Dynamic> list, Comparison<Dynamic> compare)
    {
        if (list.Count < 2) return;
        var items = list.ToArray();
        var buffer = new Dynamic[items.Length];
        MergeSort(items, buffer, 0, items.Length, compare);
        for (var i = 0; i < items.Length; i++) list[i] = items[i];
    }

    private static void MergeSort(Dynamic[] items, Dynamic[] buffer, int from, int to, Comparison<Dynamic> compare)
    {
        if (to - from <= 8)
        {
            // Insertion sort: an item moves left only past items that come strictly after it.
            for (var i = from + 1; i < to; i++)
            {
                var item = items[i];
                var j = i;
                for (; j > from && compare(items[j - 1], item) > 0; j--) items[j] = items[j - 1];
                items[j] = item;
            }
            return;
        }
        var middle = from + (to - from) / 2;
        MergeSort(items, buffer, from, middle, compare);
        MergeSort(items, buffer, middle, to, compare);
        if (compare(items[middle - 1], items[middle]) <= 0) return; // already in order
        Array.Copy(items, from, buffer, from, to - from);
        int left = from, right = middle, at = from;
        while (left < middle && right < to)
            items[at++] = compare(buffer[right], buffer[left]) < 0 ? buffer[right++] : buffer[left++];
        while (left < middle) items[at++] = buffer[left++];
        while (right < to) items[at++] = buffer[right++];
    }
}
