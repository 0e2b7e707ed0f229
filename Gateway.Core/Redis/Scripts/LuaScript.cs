using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>
/// One script of the protocol, read from its <c>.lua</c> file (embedded in this assembly). Each
/// file's header lists its KEYS, ARGV and reply; the C# type beside it builds the arguments and
/// reads the reply, so no caller deals in positions.
/// </summary>
internal sealed class LuaScript
{
    private LuaScript(string name, string text)
    {
        Name = name;
        Text = text;
        _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>The digest Redis knows the script by (<c>EVALSHA</c>), worked out once.</summary>
    private readonly byte[] _sha1;

    public string Name { get; }

    public string Text { get; }

    /// <param name="name">The script's file name without <c>.lua</c>.</param>
    /// <param name="libraries">
    /// Files of local functions that several scripts share (Redis runs each script on its own, so
    /// a script cannot call another); their text goes in front of the script's, in this order.
    /// An error's line number then counts from the first library's first line.
    /// </param>
    public static LuaScript Load(string name, params string[] libraries)
    {
        var parts = libraries.Select(Read).Append(Read(name));
        return new LuaScript(name, string.Join('\n', parts));
    }

    private static string Read(string name)
    {
        using var stream = typeof(LuaScript).Assembly.GetManifestResourceStream($"lua/{name}.lua")
            ?? throw new InvalidOperationException($"The Lua script '{name}' is not embedded in {typeof(LuaScript).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Runs the script by its digest. A server that does not know it yet (a fresh or flushed one,
    /// a cluster node it never ran on) answers <c>NOSCRIPT</c> without running anything, and the
    /// text is sent. Asking by text every time would make the client hash the whole text per call
    /// to find the digest it already sent.
    /// </summary>
    /// <param name="db">A database, not a batch: the fallback is a second command.</param>
    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync db, ScriptArgs args)
    {
        var (keys, argv) = (args.Keys(), args.Argv());
        try
        {
            return await db.ScriptEvaluateAsync(_sha1, keys, argv);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await db.ScriptEvaluateAsync(Text, keys, argv);
        }
    }

    /// <summary>Runs a script whose reply is an array: a kind or a count first, then its values.</summary>
    public async Task<RedisResult[]> EvaluateArrayAsync(IDatabaseAsync db, ScriptArgs args) =>
        (RedisResult[])(await EvaluateAsync(db, args))!;

    /// <summary>
    /// A numeric reply as the enum whose values are the script's reply codes, so that each code is
    /// named once, where the enum declares it.
    /// </summary>
    public TEnum Code<TEnum>(RedisResult reply, string what = "kind") where TEnum : struct, Enum
    {
        var code = (int)reply;
        return Enum.IsDefined(typeof(TEnum), code) ? (TEnum)Enum.ToObject(typeof(TEnum), code) : throw UnknownReply(code, what);
    }

    /// <summary>A reply this side does not know: the script and the type that reads it disagree.</summary>
    public InvalidOperationException UnknownReply(object value, string what = "kind") =>
        new($"{Name}.lua answered an unknown {what} {value}.");
}

/// <summary>The arguments of one script run on one circle: its KEYS and ARGV, in the order its header gives.</summary>
internal abstract record ScriptArgs(string Circle)
{
    /// <summary>Where its messages go: the circle's events channel (the self-test uses one nobody listens to).</summary>
    public string Channel { get; init; } = RedisKeys.Events(Circle);

    public abstract RedisKey[] Keys();

    public abstract RedisValue[] Argv();
}
