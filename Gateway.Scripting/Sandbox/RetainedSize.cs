using System.Collections;
using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using Jint;

namespace Gateway.Scripting.Sandbox;

/// <summary>
/// Estimates the managed memory one engine keeps reachable: every object, array and string
/// reachable from the <see cref="Engine"/> through Jint's own objects and the collections they
/// use. This is what a script holds — its globals, closures, pending jobs, the locals of every
/// frame on its stack — and nothing another task's engine holds, so several runs in one process
/// are measured apart.
/// </summary>
/// <remarks>
/// The walk does not enter objects of other libraries (the host's closures, loggers, the Redis
/// client, parsed scripts shared by every engine), nor the engine's options and constraints: they
/// are the host's, bounded by it, not grown by the script. Sizes are estimates of the CLR layout
/// (header, fields, array elements), within a few bytes per object. The walk stops as soon as the
/// total passes the limit, so it never visits more than a limit's worth of objects.
/// </remarks>
internal static class RetainedSize
{
    private const long ObjectHeader = 16;
    private const long ArrayHeader = 24;

    private static readonly Assembly JintAssembly = typeof(Engine).Assembly;
    private static readonly Assembly CoreAssembly = typeof(object).Assembly;
    private static readonly ConcurrentDictionary<Type, Shape> Shapes = new();

    /// <summary>The estimated size of everything reachable from <paramref name="engine"/>; above <paramref name="limit"/> the walk stops early.</summary>
    public static long Measure(Engine engine, long limit)
    {
        var walk = new Walk(limit);
        walk.Push(engine);
        return walk.Run();
    }

    /// <summary>
    /// Meets the types a script usually makes, so that their readers are compiled before the first
    /// task needs them (compiling them costs the first measure of a process about half a second).
    /// </summary>
    public static void WarmUp(Options options)
    {
        using var engine = new Engine(options);
        engine.Execute("""
            const a = [1, 'two', { three: 3 }, [4], 5.5, true, null, undefined];
            const m = new Map([[1, a]]); const s = new Set(a); const w = new WeakMap(); w.set(a[2], a);
            class K { #p = 1; get p() { return this.#p } } const k = new K();
            const f = x => () => x; const g = f(a); function* gen() { yield 1 } const it = gen(); it.next();
            const p = Promise.resolve(a).then(x => x); const t = new Uint8Array(4); const b = new ArrayBuffer(8);
            const d = new Date(0); const r = /a+/g; r.test('aa'); const long = 'x'.repeat(600) + a.length + 'y'.repeat(600);
            const n = 10n; const sym = Symbol('s'); const o = Object.freeze({ [sym]: 1, k }); const j = JSON.parse('{"a":[1]}');
            const e = new Error('e'); const px = new Proxy({}, {}); const args = (function () { return arguments })(1, 2);
            """);
        Measure(engine, long.MaxValue);
    }

    /// <summary>
    /// One traversal: an explicit stack (a deep linked list must not overflow the thread's) and a
    /// visited set. Leaves — strings, arrays of numbers, objects without references — are counted
    /// when first met and never stacked; a small leaf met again is recognized by a small cache
    /// (missing it counts a few bytes twice), a large one always by the set.
    /// </summary>
    internal sealed class Walk(long limit)
    {
        private const long SmallLeaf = 128;
        private const int LeafCacheSize = 1 << 12;

        private readonly Stack<object> _pending = new();
        private readonly ReferenceSet _seen = new();
        private readonly object?[] _leaves = new object?[LeafCacheSize];
        private object? _last;
        private Type? _lastType;
        private Shape? _lastShape;

        public long Total { get; private set; }

        public void Push(object? value)
        {
            // Arrays filled with one value repeat it element after element: skip every lookup.
            if (value is null || ReferenceEquals(value, _last))
                return;
            _last = value;
            var shape = ShapeOf(value);
            if (shape.References is null)
            {
                var size = shape.Size(value);
                if (size <= SmallLeaf)
                {
                    var slot = RuntimeHelpers.GetHashCode(value) & (LeafCacheSize - 1);
                    if (ReferenceEquals(_leaves[slot], value))
                        return;
                    _leaves[slot] = value;
                }
                else if (!_seen.Add(value))
                {
                    return;
                }
                Total += size;
                return;
            }
            if (_seen.Add(value))
                _pending.Push(value);
        }

        public long Run()
        {
            while (Total <= limit && _pending.TryPop(out var next))
            {
                var shape = ShapeOf(next);
                Total += shape.Size(next);
                shape.References!(next, this);
            }
            return Total;
        }

        private Shape ShapeOf(object value)
        {
            var type = value.GetType();
            if (type == _lastType)
                return _lastShape!;
            _lastType = type;
            return _lastShape = Shapes.GetOrAdd(type, Shape.Of);
        }
    }

    /// <summary>An identity set of objects, open addressing: a quarter of the memory of a <see cref="HashSet{T}"/> of objects.</summary>
    private sealed class ReferenceSet
    {
        private object?[] _slots = new object?[1 << 10];
        private int _count;

        public bool Add(object value)
        {
            if (_count * 2 >= _slots.Length)
                Grow();
            var mask = _slots.Length - 1;
            for (var i = RuntimeHelpers.GetHashCode(value) & mask; ; i = (i + 1) & mask)
            {
                var slot = _slots[i];
                if (slot is null)
                {
                    _slots[i] = value;
                    _count++;
                    return true;
                }
                if (ReferenceEquals(slot, value))
                    return false;
            }
        }

        private void Grow()
        {
            var old = _slots;
            _slots = new object?[old.Length * 2];
            _count = 0;
            foreach (var value in old)
            {
                if (value is not null)
                    Add(value);
            }
        }
    }

    /// <summary>How to size one type, and how to reach the objects it references (null: a leaf, or not ours to enter).</summary>
    private sealed class Shape(Func<object, long>? size, Action<object, Walk>? references, long fixedSize = 0)
    {
        public Action<object, Walk>? References { get; } = references;

        public long Size(object value) => size is null ? fixedSize : size(value);

        public static Shape Of(Type type)
        {
            if (type == typeof(string))
                return new(o => Align(ArrayHeader - 2 + 2L * ((string)o).Length), null);
            if (type.IsArray)
                return OfArray(type);
            var fixedSize = Align(ObjectHeader + FieldBytes(type));
            if (IsConditionalWeakTable(type))
                return new(null, WeakTableEntries, fixedSize);
            if (typeof(Delegate).IsAssignableFrom(type))
            {
                // A closure's captured values live in its target; the method itself is code.
                return new(null, static (o, walk) =>
                {
                    if (((Delegate)o).Target is { } target && Enters(target.GetType()))
                        walk.Push(target);
                }, fixedSize);
            }
            return new(null, Enters(type) ? FieldReader(type) : null, fixedSize);
        }

        private static Shape OfArray(Type type)
        {
            var element = type.GetElementType()!;
            if (type.GetArrayRank() != 1)
                return new(o => ArrayHeader + ((Array)o).LongLength * 8, null);
            if (!element.IsValueType)
            {
                return new(o => ArrayHeader + ((Array)o).LongLength * 8, static (o, walk) =>
                {
                    foreach (var item in (object?[])o)
                        walk.Push(item);
                });
            }
            var elementSize = ElementSize(element);
            var size = (Func<object, long>)(o => Align(ArrayHeader + ((Array)o).LongLength * elementSize));
            if (!HoldsReferences(element))
                return new(size, null);
            var walkElements = typeof(Shape).GetMethod(nameof(StructElements), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(element);
            return new(size, walkElements.CreateDelegate<Action<object, Walk>>());
        }

        private static void StructElements<T>(object array, Walk walk) where T : struct
        {
            var read = StructReader<T>.Read;
            foreach (var item in (T[])array)
                read(item, walk);
        }

        private static void WeakTableEntries(object table, Walk walk)
        {
            // A weak table's values hang off dependent handles, which no field leads to.
            foreach (var entry in (IEnumerable)table)
            {
                if (entry is null)
                    continue;
                var pair = entry.GetType();
                walk.Push(pair.GetProperty("Key")?.GetValue(entry));
                walk.Push(pair.GetProperty("Value")?.GetValue(entry));
            }
        }
    }

    /// <summary>Reads the references of a struct's fields, nested structs included.</summary>
    private static class StructReader<T> where T : struct
    {
        public static readonly Action<T, Walk> Read = Compile();

        private static Action<T, Walk> Compile()
        {
            var value = Expression.Parameter(typeof(T), "value");
            var walk = Expression.Parameter(typeof(Walk), "walk");
            var body = ReferencePushes(value, typeof(T), walk, depth: 0);
            return Expression.Lambda<Action<T, Walk>>(body.Count == 0 ? Expression.Empty() : Expression.Block(body), value, walk).Compile();
        }
    }

    private static Action<object, Walk>? FieldReader(Type type)
    {
        var o = Expression.Parameter(typeof(object), "o");
        var walk = Expression.Parameter(typeof(Walk), "walk");
        var typed = Expression.Variable(type, "typed");
        var pushes = ReferencePushes(typed, type, walk, depth: 0);
        if (pushes.Count == 0)
            return null;
        var body = Expression.Block([typed], [Expression.Assign(typed, Expression.Convert(o, type)), .. pushes]);
        return Expression.Lambda<Action<object, Walk>>(body, o, walk).Compile();
    }

    private static readonly MethodInfo PushMethod = typeof(Walk).GetMethod(nameof(Walk.Push))!;

    private static List<Expression> ReferencePushes(Expression instance, Type type, ParameterExpression walk, int depth)
    {
        var pushes = new List<Expression>();
        foreach (var field in InstanceFields(type))
        {
            var fieldType = field.FieldType;
            if (fieldType.IsPointer || fieldType.IsByRef || fieldType.IsByRefLike || fieldType.IsFunctionPointer)
                continue;
            if (!fieldType.IsValueType)
            {
                pushes.Add(Expression.Call(walk, PushMethod, Expression.Convert(Expression.Field(instance, field), typeof(object))));
            }
            else if (depth < 4 && HoldsReferences(fieldType))
            {
                pushes.AddRange(ReferencePushes(Expression.Field(instance, field), fieldType, walk, depth + 1));
            }
        }
        return pushes;
    }

    /// <summary>
    /// Which objects the walk enters: Jint's own, and the collections and builders of the base
    /// library they are made of. Anything else — the host's closures, a logger, the Redis client,
    /// a parsed script shared by every engine — is counted for its own fields only.
    /// </summary>
    private static bool Enters(Type type)
    {
        if (type.Assembly == JintAssembly)
            return !typeof(Options).IsAssignableFrom(type) && !typeof(Constraint).IsAssignableFrom(type)
                && type.DeclaringType != typeof(Options);
        if (type.Assembly == CoreAssembly)
        {
            var space = type.Namespace ?? "";
            return space.StartsWith("System.Collections", StringComparison.Ordinal) || type == typeof(System.Text.StringBuilder)
                || (type.IsGenericType && (type.Name.StartsWith("Tuple", StringComparison.Ordinal) || type.Name.StartsWith("ValueTuple", StringComparison.Ordinal)
                    || type.Name.StartsWith("KeyValuePair", StringComparison.Ordinal)));
        }
        return type == typeof(System.Numerics.BigInteger);
    }

    private static bool IsConditionalWeakTable(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ConditionalWeakTable<,>);

    private static IEnumerable<FieldInfo> InstanceFields(Type type)
    {
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                yield return field;
        }
    }

    private static long FieldBytes(Type type)
    {
        long bytes = 0;
        foreach (var field in InstanceFields(type))
            bytes += field.FieldType.IsValueType && !field.FieldType.IsPointer ? ElementSize(field.FieldType) : 8;
        return bytes;
    }

    private static readonly ConcurrentDictionary<Type, long> ValueSizes = new();

    private static long ElementSize(Type valueType) => ValueSizes.GetOrAdd(valueType, static t =>
    {
        if (t.IsByRefLike || t.IsPointer || t.IsFunctionPointer)
            return 8;
        var sizeOf = typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t);
        return (int)sizeOf.Invoke(null, null)!;
    });

    private static readonly ConcurrentDictionary<Type, bool> ReferenceHolders = new();

    private static bool HoldsReferences(Type valueType) => ReferenceHolders.GetOrAdd(valueType, static t =>
    {
        var method = typeof(RuntimeHelpers).GetMethod(nameof(RuntimeHelpers.IsReferenceOrContainsReferences))!.MakeGenericMethod(t);
        return (bool)method.Invoke(null, null)!;
    });

    private static long Align(long bytes) => (bytes + 7) & ~7L;
}
