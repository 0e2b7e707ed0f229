using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>register.lua: store a script under a name, as a new version unless the latest has the same text.</summary>
/// <remarks>A null <see cref="Args.Description"/> keeps the latest version's.</remarks>
internal static class RegisterScript
{
    private static readonly LuaScript Lua = LuaScript.Load("register");

    public sealed record Args(string Circle, string Name, string Sha256, string Language, string? Description, long NowMs, string Text)
        : ScriptArgs(Circle)
    {
        public override RedisKey[] Keys() => [RedisKeys.Scripts(Circle), RedisKeys.Script(Circle, Name)];

        public override RedisValue[] Argv() => [Name, Sha256, Language, Description ?? "", NowMs, Text, Description is null ? 0 : 1];
    }

    /// <summary>The script's reply codes.</summary>
    public enum Kind
    {
        /// <summary>The latest version has this text: no new version (its description may have changed).</summary>
        SameText = 0,
        NewVersion = 1,
        NewName = 2,
    }

    /// <summary>What the script did, and the version that holds the text now.</summary>
    public sealed record Reply(Kind Kind, int Version, string Description, long CreatedMs);

    public static async Task<Reply> RunAsync(IDatabaseAsync db, Args args)
    {
        var reply = await Lua.EvaluateArrayAsync(db, args);
        return new Reply(Lua.Code<Kind>(reply[0]), (int)reply[1], (string?)reply[2] ?? "", (long)reply[3]);
    }
}
