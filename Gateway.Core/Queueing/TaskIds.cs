using System.Buffers.Binary;
using System.Globalization;

namespace Gateway.Core.Queueing;

/// <summary>
/// Task ids: 32 lowercase hex characters of a version 7 UUID — URL-safe, unique, time-ordered, and
/// strictly increasing within a process: two ids made in one millisecond keep the order they were
/// made in (the later one is the earlier plus one, as RFC 9562 allows), so "newest first" holds for
/// tasks submitted in the same millisecond.
/// </summary>
public static class TaskIds
{
    private static readonly Lock Gate = new();
    private static UInt128 _last;

    public static string New(TimeProvider time)
    {
        Span<byte> bytes = stackalloc byte[16];
        Guid.CreateVersion7(time.GetUtcNow()).TryWriteBytes(bytes, bigEndian: true, out _);
        var id = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        lock (Gate)
        {
            if (id <= _last)
                id = _last + 1;
            _last = id;
        }
        return id.ToString("x32", CultureInfo.InvariantCulture);
    }

    /// <summary>The Unix time in milliseconds a well-formed id was made at (its first 48 bits, as in a UUIDv7).</summary>
    public static long CreatedMs(string id) => long.Parse(id.AsSpan(0, 12), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="id"/> has the shape of an id; anything else can never name a task.</summary>
    public static bool IsWellFormed(string? id)
    {
        if (id is not { Length: 32 })
            return false;
        foreach (var c in id)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
                return false;
        }
        return true;
    }
}
