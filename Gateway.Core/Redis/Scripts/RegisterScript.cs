using StackExchange.Redis;

namespace Gateway.Core.Redis.Scripts;

/// <summary>register.lua: store a script under a name, as a new version unless the latest has the same text.</summary>
internal static class RegisterScript
{
    private static readonly LuaScript Lua = LuaScript.Load("register");

    public sealed record Args(string Circle, string Name, string Sha256, string Language, string Description, long NowMs, string Text)
        : ScriptArgs(Circle)
    {
        public override RedisKey[] Keys() => [RedisKeys.Scripts(Circle), RedisKeys.Script(Circle, Name)];

        public override RedisValue[] Argv() => [Name, Sha256, Language, Description, NowMs, Text];
    }

    /// <summary>The script's reply codes.</summary>
    public enum Kind
    {
        Unchanged = 0,
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
