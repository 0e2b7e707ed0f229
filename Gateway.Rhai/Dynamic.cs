using System.Globalization;
using System.Runtime.CompilerServices;

namespace Gateway.Rhai;

/// <summary>The type of a <see cref="Dynamic"/> value, as Rhai distinguishes them.</summary>
public enum RhaiType : byte
{
    /// <summary><c>()</c>, the unit value.</summary>
    Unit,
    /// <summary><c>bool</c>.</summary>
    Bool,
    /// <summary><c>INT</c>, a 64-bit signed integer.</summary>
    Int,
    /// <summary><c>FLOAT</c>, a 64-bit float.</summary>
    Float,
    /// <summary>A Unicode scalar value.</summary>
    Char,
    /// <summary>An immutable-in-place string (mutation replaces the value).</summary>
    String,
    /// <summary>An array of values, copied on assignment.</summary>
    Array,
    /// <summary>An object map with ordered string keys, copied on assignment.</summary>
    Map,
    /// <summary>A byte array.</summary>
    Blob,
    /// <summary>A function pointer or closure.</summary>
    FnPtr,
    /// <summary>An instant from <c>timestamp()</c>.</summary>
    Timestamp,
    /// <summary>An exclusive or inclusive integer range.</summary>
    Range,
    /// <summary>A variable captured by a closure; never seen by scripts or hosts.</summary>
    Shared,
}

/// <summary>
/// A Rhai value. A small struct: integers, floats, booleans and chars live in <see cref="Bits"/>,
/// everything else in <see cref="Obj"/>, so arithmetic does not allocate.
/// </summary>
public readonly struct Dynamic
{
    /// <summary>The value's type.</summary>
    public readonly RhaiType Type;
    internal readonly long Bits;
    internal readonly object? Obj;

    internal Dynamic(RhaiType type, long bits, object? obj)
    {
        Type = type;
        Bits = bits;
        Obj = obj;
    }

    /// <summary>The unit value <c>()</c>.</summary>
    public static readonly Dynamic Unit;
    /// <summary><c>true</c>.</summary>
    public static readonly Dynamic True = new(RhaiType.Bool, 1, null);
    /// <summary><c>false</c>.</summary>
    public static readonly Dynamic False = new(RhaiType.Bool, 0, null);

    /// <summary>An INT.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Dynamic FromInt(long value) => new(RhaiType.Int, value, null);
    /// <summary>A FLOAT.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Dynamic FromFloat(double value) => new(RhaiType.Float, BitConverter.DoubleToInt64Bits(value), null);
    /// <summary>A bool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Dynamic FromBool(bool value) => value ? True : False;
    /// <summary>A char (a Unicode scalar value).</summary>
    public static Dynamic FromChar(int codePoint) => new(RhaiType.Char, codePoint, null);
    /// <summary>A string.</summary>
    public static Dynamic FromString(string value) => new(RhaiType.String, 0, value);
    /// <summary>An array that takes ownership of <paramref name="items"/>.</summary>
    public static Dynamic FromArray(List<Dynamic> items) => new(RhaiType.Array, 0, items);
    /// <summary>An object map that takes ownership of <paramref name="map"/>.</summary>
    public static Dynamic FromMap(RhaiMap map) => new(RhaiType.Map, 0, map);
    /// <summary>A blob that takes ownership of <paramref name="bytes"/>.</summary>
    public static Dynamic FromBlob(List<byte> bytes) => new(RhaiType.Blob, 0, bytes);
    internal static Dynamic FromFnPtr(FnPtr fn) => new(RhaiType.FnPtr, 0, fn);
    internal static Dynamic FromTimestamp(long ticks) => new(RhaiType.Timestamp, ticks, null);
    internal static Dynamic FromRange(long start, long end, bool inclusive) => new(RhaiType.Range, 0, new RhaiRange(start, end, inclusive));
    internal static Dynamic FromShared(SharedCell cell) => new(RhaiType.Shared, 0, cell);

    /// <summary>Whether this is <c>()</c>.</summary>
    public bool IsUnit => Type == RhaiType.Unit;
    /// <summary>The INT value; only valid when <see cref="Type"/> is <see cref="RhaiType.Int"/>.</summary>
    public long AsInt => Bits;
    /// <summary>The FLOAT value; only valid when <see cref="Type"/> is <see cref="RhaiType.Float"/>.</summary>
    public double AsFloat => BitConverter.Int64BitsToDouble(Bits);
    /// <summary>The bool value; only valid when <see cref="Type"/> is <see cref="RhaiType.Bool"/>.</summary>
    public bool AsBool => Bits != 0;
    /// <summary>The char's code point; only valid when <see cref="Type"/> is <see cref="RhaiType.Char"/>.</summary>
    public int AsChar => (int)Bits;
    /// <summary>The string; only valid when <see cref="Type"/> is <see cref="RhaiType.String"/>.</summary>
    public string AsString => Obj as string ?? ((StringBuffer)Obj!).Text((int)Bits);
    /// <summary>The string's length in UTF-16 code units, without making the text of a grown one.</summary>
    internal int StringLength => Obj is string s ? s.Length : (int)Bits;
    /// <summary>The array's items; only valid when <see cref="Type"/> is <see cref="RhaiType.Array"/>.</summary>
    public List<Dynamic> AsArray => (List<Dynamic>)Obj!;
    /// <summary>The map; only valid when <see cref="Type"/> is <see cref="RhaiType.Map"/>.</summary>
    public RhaiMap AsMap => (RhaiMap)Obj!;
    /// <summary>The blob's bytes; only valid when <see cref="Type"/> is <see cref="RhaiType.Blob"/>.</summary>
    public List<byte> AsBlob => (List<byte>)Obj!;
    internal FnPtr AsFnPtr => (FnPtr)Obj!;
    internal RhaiRange AsRange => (RhaiRange)Obj!;

    /// <summary>Rhai's name for the type, as <c>type_of</c> returns it.</summary>
    /// <summary>The type's name as Rhai's <c>type_of</c> gives it; an inclusive range is <c>range=</c>.</summary>
    public string TypeName => Type == RhaiType.Range && AsRange.Inclusive ? "range=" : TypeNameOf(Type);

    internal static string TypeNameOf(RhaiType type) => type switch
    {
        RhaiType.Unit => "()",
        RhaiType.Bool => "bool",
        RhaiType.Int => "i64",
        RhaiType.Float => "f64",
        RhaiType.Char => "char",
        RhaiType.String => "string",
        RhaiType.Array => "array",
        RhaiType.Map => "map",
        RhaiType.Blob => "blob",
        RhaiType.FnPtr => "Fn",
        RhaiType.Timestamp => "timestamp",
        RhaiType.Range => "range",
        _ => "?",
    };

    /// <summary>Deep copy of arrays, maps and blobs (Rhai's value semantics); other values are returned as they are.</summary>
    public Dynamic Clone()
    {
        switch (Type)
        {
            case RhaiType.Array or RhaiType.Map or RhaiType.Blob:
                // Deeply nested values must not overflow the host's stack.
                RuntimeHelpers.EnsureSufficientExecutionStack();
                break;
        }
        switch (Type)
        {
            case RhaiType.Array:
                var src = AsArray;
                var copy = new List<Dynamic>(src.Count);
                foreach (var item in src)
                {
                    copy.Add(item.Type is RhaiType.Array or RhaiType.Map or RhaiType.Blob ? item.Clone() : item);
                }
                return FromArray(copy);
            case RhaiType.Map:
                return FromMap(AsMap.DeepClone());
            case RhaiType.Blob:
                return FromBlob([.. AsBlob]);
            default:
                return this;
        }
    }

    /// <summary>The text <c>print</c> and <c>to_string</c> produce.</summary>
    public override string ToString() => Formatter.Display(this);

    /// <summary>The text <c>debug</c> and <c>to_debug</c> produce.</summary>
    public string ToDebugString() => Formatter.Debug(this);
}

/// <summary>An object map: string keys kept in Rhai's order (by Unicode scalar value).</summary>
public sealed class RhaiMap : SortedDictionary<string, Dynamic>
{
    /// <summary>An empty map.</summary>
    public RhaiMap() : base(Strings.CodePointOrder)
    {
    }

    internal RhaiMap DeepClone()
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        var copy = new RhaiMap();
        foreach (var (key, value) in this)
        {
            copy.Add(key, value.Clone());
        }
        return copy;
    }
}

/// <summary>
/// A variable captured by a closure: one cell that the closure and the scope it came from share.
/// While a method call runs on the variable (the root of its receiver, taken by reference), the
/// cell is held, and any use of the variable by a closure that call runs is Rhai's data race: the
/// callback would change or read what the call is still working on. (A built-in called as a
/// function gets a captured variable as a copy, so it holds nothing.)
/// </summary>
internal sealed class SharedCell(Dynamic value)
{
    private Dynamic value = value;
    private int holds;

    public Dynamic Value
    {
        get => Read(0, 0);
        set => Write(value, 0, 0);
    }

    public Dynamic Read(int line, int col) => holds == 0 ? value : throw Runtime.DataRace(line, col);

    public void Write(Dynamic v, int line, int col)
    {
        if (holds != 0) throw Runtime.DataRace(line, col);
        value = v;
    }

    public void Hold() => holds++;

    public void Release() => holds--;

}

internal sealed record RhaiRange(long Start, long End, bool Inclusive, long Step = 1)
{
    public long ExclusiveEnd => Inclusive ? (End == long.MaxValue ? long.MaxValue : End + 1) : End;

    public bool Contains(long x) => x >= Start && (Inclusive ? x <= End : x < End);

    // As Rhai: a range to INT's maximum shows as open (`2..`).
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Start}{(Inclusive ? "..=" : "..")}{(End == long.MaxValue ? "" : End)}");
}
